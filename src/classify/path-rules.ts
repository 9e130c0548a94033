import picomatch from 'picomatch';
import type { PathRule } from '../config/schema.js';
import { classificationSchema, type Classification, type Classifier, type ClassifyInput } from './classifier.js';

/**
 * Where a file lies says what it is, when the user sorts paperwork into folders: path rules
 * (classify.pathRules: glob -> type, tags, correspondent) and folder names as tags
 * (classify.folderTags, as paperless-ngx's consume-subdirs-as-tags). They are the user's own
 * statements, so they stand over every classifier in front of them: providers, the learned model
 * and the rules. The first rule that names a type or a correspondent sets it; tags add up.
 */
export class PathRulesClassifier implements Classifier {
  readonly name: string;
  private readonly rules: { rule: PathRule; matches: (path: string) => boolean }[];

  constructor(
    private readonly inner: Classifier,
    rules: readonly PathRule[],
    private readonly folderTags: boolean,
  ) {
    this.name = inner.name;
    // A glob without a slash matches a file or folder name anywhere, as ingest's --include does.
    this.rules = rules.map((rule) => ({ rule, matches: picomatch(rule.glob, { dot: true, nocase: true, basename: !rule.glob.includes('/') }) }));
  }

  static wanted(rules: readonly PathRule[], folderTags: boolean): boolean {
    return rules.length > 0 || folderTags;
  }

  async classify(input: ClassifyInput): Promise<Classification> {
    const result = await this.inner.classify(input);
    const relative = input.relativePath;
    if (!relative) return result;
    const tags = new Set(result.tags);
    if (this.folderTags) for (const folder of relative.split('/').slice(0, -1)) if (folder.trim()) tags.add(folder.trim().toLowerCase());
    const matched = this.rules.filter(({ matches }) => matches(relative)).map(({ rule }) => rule);
    for (const rule of matched) for (const tag of rule.tags) tags.add(tag);
    const typed = matched.find((rule) => rule.type !== undefined);
    const named = matched.find((rule) => rule.correspondent !== undefined);
    const next: Classification = { ...result, tags: [...tags].sort() };
    if (named?.correspondent) next.correspondent = named.correspondent;
    if (typed?.type && typed.type !== result.type) {
      next.type = typed.type;
      next.confidence = 1;
      next.rule = `path rule "${typed.glob}": ${typed.type}; ${result.classifier} said ${result.type} (${result.rule})`;
    }
    return classificationSchema.parse(next);
  }
}
