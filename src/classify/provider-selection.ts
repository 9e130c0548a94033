import type { AiConfig } from '../config/schema.js';
import { utcDayStart } from '../text/duration.js';
import type { ClassificationRecords } from './call-records.js';
import type { ProviderSlot } from './provider-slot.js';

/**
 * Which providers a document is offered to, and in what order: the strategy's order, and, per
 * provider, what keeps it from being asked right now (keys, breaker, daily token budget).
 */
export class ProviderSelection {
  private turn = 0;

  constructor(
    private readonly slots: readonly ProviderSlot[],
    private readonly ai: AiConfig,
    private readonly records: ClassificationRecords,
  ) {}

  /** The order to try providers in for one document, by strategy; the local classifier is last. */
  order(estimate: number): ProviderSlot[] {
    const slots = [...this.slots];
    if (slots.length < 2) return slots;
    switch (this.ai.strategy) {
      case 'fallback':
        return slots;
      case 'round-robin': {
        const start = this.turn++ % slots.length;
        return [...slots.slice(start), ...slots.slice(0, start)];
      }
      case 'weighted': {
        const total = slots.reduce((sum, slot) => sum + slot.config.weight, 0);
        let pick = Math.random() * total;
        const first = slots.find((slot) => (pick -= slot.config.weight) < 0) ?? (slots[0] as ProviderSlot);
        return [first, ...slots.filter((slot) => slot !== first)];
      }
      case 'cheapest': {
        const output = this.ai.maxOutputTokens;
        return slots.sort((a, b) => a.costUsd(estimate - output, output) - b.costUsd(estimate - output, output) || a.config.priority - b.config.priority);
      }
    }
  }

  async unavailable(slot: ProviderSlot, estimate: number): Promise<string | undefined> {
    if (slot.disabled) return slot.disabled;
    if (slot.keys.length === 0) return `no API key: set ${slot.credential.replace(/^env:/, 'the environment variable ').replace(/^file:/, 'the file ')}`;
    if (slot.policy.isOpen()) return `circuit open after ${slot.config.breaker.failures} failures in a row; tried again ${slot.config.breaker.cooldownMs / 1000} s after it opened`;
    const budget = slot.config.dailyTokenBudget;
    if (budget !== undefined) {
      const used = await this.usedToday(slot);
      if (used + estimate > budget) return `daily token budget spent (${used} of ${budget} tokens used today, UTC)`;
    }
    return undefined;
  }

  private async usedToday(slot: ProviderSlot): Promise<number> {
    const day = utcDayStart(new Date());
    if (slot.usedToday?.day !== day) slot.usedToday = { day, tokens: await this.records.tokensUsedSince(slot.name, day) };
    return slot.usedToday.tokens;
  }
}
