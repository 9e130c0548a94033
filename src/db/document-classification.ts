import type { Classification } from '../classification.js';
import type { DocumentClassification } from './document-types.js';

/** The one conversion between a classifier's classification and a document row's names for it. */
export function documentClassification({ date, confidence, rule, ...same }: Classification): DocumentClassification {
  return { ...same, documentDate: date, classConfidence: confidence, classRule: rule };
}

/** A document's classification as the classifier gave it (for its history row). */
export function classificationOf({ type, title, tags, documentDate, correspondent, language, classConfidence, classRule, classifier, fields }: DocumentClassification): Classification {
  return { type, title, tags, date: documentDate, correspondent, language, confidence: classConfidence, rule: classRule, classifier, fields };
}
