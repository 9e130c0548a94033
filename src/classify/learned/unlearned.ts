import type { ModelSummary } from './model.js';

/**
 * Why a label with examples is not predicted, in words a user can act on: `doccat train` shows it
 * per label, and says it for the whole model when nothing was learned.
 */

type Kind = 'type' | 'correspondent' | 'tag';

const COUNTS = { type: 'types', correspondent: 'correspondents', tag: 'tags' } as const;

/** Undefined when the label is predicted. */
export function whyNotLearned(summary: ModelSummary, kind: Kind, label: string): string | undefined {
  const counts = summary[COUNTS[kind]];
  const learned = summary.learned[COUNTS[kind]];
  if (learned.includes(label)) return undefined;
  const examples = counts[label] ?? 0;
  const needed = summary.minExamples;
  if (examples < needed) return `needs ${needed} labelled by hand`;
  if (kind === 'tag') {
    const without = (summary.tagged ?? examples) - examples;
    if (without < needed) return `needs ${needed} tagged by hand without it, has ${Math.round(without * 100) / 100} (doccat tag ID -${label})`;
    return 'not among the most used tags';
  }
  const enough = Object.values(counts).filter((count) => count >= needed).length;
  if (enough < 2) return `needs a second ${kind} with ${needed} labelled by hand to choose between`;
  return `not among the most used ${COUNTS[kind]}`;
}

/** Why a model that predicts nothing learned nothing: what to label next. */
export function nothingLearned(summary: ModelSummary): string {
  const reasons: string[] = [];
  for (const kind of ['type', 'correspondent', 'tag'] as const) {
    for (const label of Object.keys(summary[COUNTS[kind]]).sort()) {
      const examples = summary[COUNTS[kind]][label] ?? 0;
      if (examples < summary.minExamples) continue;
      const why = whyNotLearned(summary, kind, label);
      if (why) reasons.push(`${kind} ${label} ${why}`);
    }
  }
  if (reasons.length === 0) return `no type, correspondent or tag has ${summary.minExamples} documents labelled by hand yet (doccat set ID --type TYPE)`;
  return reasons.join('; ');
}
