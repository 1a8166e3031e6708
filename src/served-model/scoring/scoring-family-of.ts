import type { EranEmbeddings } from '../../model/embeddings';
import { MIXTURE_FAMILY } from './mixture-family';
import { KERNEL_FAMILY, PAPER_FAMILY } from './personalized-families';
import type { ScoringFamily } from './scoring-family';

/** The one place that maps a model's scoring rule to its family (embeddings without one: the paper's). */
export function scoringFamilyOf(emb: EranEmbeddings): ScoringFamily {
  const scoring = emb.scoring ?? 'paper';
  switch (scoring) {
    case 'paper':
      return PAPER_FAMILY;
    case 'kernel':
      return KERNEL_FAMILY;
    case 'mixture':
      return MIXTURE_FAMILY;
    default:
      throw new Error(`scoring: expected paper | kernel | mixture, got ${String(scoring)}`);
  }
}
