import { classificationSchema, type Classification, type Classifier } from '../classify/classifier.js';
import type { AiClassificationService, ClassificationRecords, ProviderCall } from '../classify/service.js';
import { activeTracer } from '../observability/tracing.js';
import { AiRecordRepository } from '../db/ai-records.js';
import { usageError } from '../errors.js';
import type { OpenCatalog } from './catalog.js';
import type { AppContext } from './context.js';

/** How many known tags and correspondents are offered to providers in each prompt. */
const TAXONOMY_TAGS = 200;
const TAXONOMY_CORRESPONDENTS = 100;

/**
 * The classifier a command uses: the local rules alone, or, with providers configured, the AI
 * service in front of them with the catalogue as its cache and call record.
 */
export async function createClassifier(context: AppContext, catalog: OpenCatalog, options: { onlyProvider?: string; force?: boolean; retrain?: boolean } = {}): Promise<{ classifier: Classifier; service: AiClassificationService | undefined }> {
  const { config } = context.config;
  const { LocalClassifier } = await import('../classify/providers/local.js');
  const rules = new LocalClassifier(config.classify);
  // The learned model sits between the providers and the rules, when there is one.
  const { currentModel } = await import('./learning.js');
  const model = await currentModel(catalog, config, context.logger, { retrain: options.retrain ?? false });
  const local: Classifier = model ? new (await import('../classify/learned/classifier.js')).LearnedClassifier(model, rules, { minConfidence: config.classify.learned.minConfidence }) : rules;
  const names = config.ai.providers.map((provider) => provider.name);
  if (options.onlyProvider !== undefined && !names.includes(options.onlyProvider)) {
    throw usageError('E_PROVIDER_UNKNOWN', `no provider named "${options.onlyProvider}" is configured`, names.length > 0 ? `configured: ${names.join(', ')}` : 'add one under ai.providers in the config');
  }
  if (options.onlyProvider !== undefined && !config.features.ai) {
    throw usageError('E_FEATURE_DISABLED', 'AI providers are switched off in this configuration (features.ai: false)', 'set features.ai to true (or DOCCAT_FEATURES_AI=true) to ask a provider');
  }
  // Path rules and folder tags are the user's own statements: they stand over the whole chain.
  const { PathRulesClassifier } = await import('../classify/path-rules.js');
  const placed = (classifier: Classifier) => (PathRulesClassifier.wanted(config.classify.pathRules, config.classify.folderTags) ? new PathRulesClassifier(classifier, config.classify.pathRules, config.classify.folderTags) : classifier);
  if (config.ai.providers.length === 0 || !config.features.ai) return { classifier: placed(local), service: undefined };

  const [{ AiClassificationService }, { mergeTypes, FALLBACK_TYPE }, { resolveAllProviderKeys }] = await Promise.all([
    import('../classify/service.js'),
    import('../classify/taxonomy.js'),
    import('../config/provider-keys.js'),
  ]);
  const types = mergeTypes(config.classify.types);
  const tags = new Set<string>([...config.classify.tags.map((rule) => rule.tag), ...types.flatMap((type) => type.tags), ...(await catalog.repository.knownTags(TAXONOMY_TAGS))]);
  const service = new AiClassificationService({
    ai: config.ai,
    redaction: { enabled: config.features.redaction, patterns: config.redaction.patterns },
    taxonomy: {
      types: [...types.map((type) => type.name), FALLBACK_TYPE],
      tags: [...tags].sort(),
      correspondents: await catalog.repository.knownCorrespondents(TAXONOMY_CORRESPONDENTS),
    },
    local,
    records: classificationRecords(new AiRecordRepository(catalog.database.db)),
    logger: context.logger,
    providerKeys: resolveAllProviderKeys(config.ai.providers, context.secret),
    ...(options.onlyProvider ? { onlyProvider: options.onlyProvider } : {}),
    ...(options.force ? { force: true } : {}),
  });
  return { classifier: placed(service), service };
}

/** The catalogue's AI tables as the service's cache and call record. */
export function classificationRecords(records: AiRecordRepository): ClassificationRecords {
  return {
    // A cache entry that no longer validates (an older doccat wrote it) is a miss, not an error.
    cached: async (key) => {
      const parsed = classificationSchema.safeParse(await records.cachedResult(key));
      return parsed.success ? (parsed.data as Classification) : undefined;
    },
    remember: (entry) => records.remember(entry),
    recordCall: (call) => {
      traceProviderCall(call);
      return records.recordCall({
        at: call.at,
        provider: call.provider,
        model: call.model,
        key_id: call.keyId,
        latency_ms: call.latencyMs,
        input_tokens: call.inputTokens,
        output_tokens: call.outputTokens,
        cost_usd: call.costUsd,
        outcome: call.outcome,
        error_code: call.errorCode,
        correlation_id: call.correlationId,
      });
    },
    tokensUsedSince: (provider, since) => records.tokensUsedSince(provider, since),
  };
}

/** A provider call as a span under the file's classify stage, made from its record after the fact. */
function traceProviderCall(call: ProviderCall): void {
  const parent = call.correlationId ? activeTracer().currentOf(call.correlationId) : undefined;
  if (!parent) return;
  const end = Date.parse(call.at);
  const span = parent.child('doccat.provider.call', { 'doccat.provider': call.provider, 'gen_ai.request.model': call.model, 'gen_ai.usage.input_tokens': call.inputTokens, 'gen_ai.usage.output_tokens': call.outputTokens, 'doccat.provider.outcome': call.outcome, 'doccat.cost_usd': call.costUsd, 'doccat.correlation_id': call.correlationId ?? undefined }, end - call.latencyMs);
  if (call.errorCode) span.fail({ code: call.errorCode, message: `${call.provider}: ${call.outcome}` });
  span.end(end);
}
