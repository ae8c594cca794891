import { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } from 'ae-cvss-calculator';
import type { CvssScore } from '../model';

type CvssType = CvssScore['type'];

/** Newest CVSS version first, the order `Advisory.cvss` keeps. */
const TYPE_ORDER: readonly CvssType[] = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

/** Orders scores best (newest CVSS version) first; scores of one version keep their order. */
export function compareCvssType(a: CvssScore, b: CvssScore): number {
  return TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type);
}

/**
 * A vector with its base score, or undefined when the vector is not one CVSS can score: an
 * unknown prefix or metric, a metric given twice, or a base metric missing. The type comes from
 * the prefix (`CVSS:3.0/` and `CVSS:3.1/` are CVSS_V3, `CVSS:4.0/` is CVSS_V4, a bare `AV:…`
 * vector is CVSS_V2, as NVD writes v2 vectors).
 */
export function parseCvss(vector: string): CvssScore | undefined {
  const text = vector.trim();
  const version = /^CVSS:(\d\.\d)\//.exec(text)?.[1];
  const metrics = version ? text.slice(`CVSS:${version}/`.length) : text;
  if (!hasDistinctMetrics(metrics)) return undefined;
  try {
    switch (version) {
      case undefined: {
        if (!metrics.startsWith('AV:')) return undefined;
        const cvss = new Cvss2(metrics);
        return cvss.isBaseFullyDefined() ? scored('CVSS_V2', text, cvss.calculateScores().base) : undefined;
      }
      case '3.0':
      case '3.1': {
        const cvss = version === '3.0' ? new Cvss3P0(text) : new Cvss3P1(text);
        return cvss.isBaseFullyDefined() ? scored('CVSS_V3', text, cvss.calculateScores().base) : undefined;
      }
      case '4.0': {
        // `base` folds in the threat and environmental metrics a vector may carry; the base
        // score proper (CVSS-B) is `baseMetricsOnly`.
        const cvss = new Cvss4P0(text);
        return cvss.isBaseFullyDefined() ? scored('CVSS_V4', text, cvss.calculateScores().baseMetricsOnly) : undefined;
      }
      default:
        return undefined;
    }
  } catch {
    // The calculator throws on an unknown metric or value; such a vector has no score.
    return undefined;
  }
}

/** `KEY:VALUE` parts, no key twice: the calculator would silently keep the last of a repeated metric. */
function hasDistinctMetrics(metrics: string): boolean {
  const seen = new Set<string>();
  for (const part of metrics.split('/')) {
    const match = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part);
    if (!match || seen.has(match[1])) return false;
    seen.add(match[1]);
  }
  return seen.size > 0;
}

function scored(type: CvssType, vector: string, score: number | undefined): CvssScore | undefined {
  return score !== undefined && Number.isFinite(score) ? { type, vector, score } : undefined;
}
