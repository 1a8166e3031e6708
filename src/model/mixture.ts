/**
 * Mixture scoring (improvement, `scoring: 'mixture'`): the user's attention mixes one similarity
 * kernel per attribute network instead of mixing the codes.
 *
 *   h^k_i     = code^k_i (+ e_i with the itemEmbedding improvement)           per kind, d
 *   a~^k_ux   = softmax_k(h^k_x . z_u)                                         eq. 5-6, as printed
 *   K^k(x, j) = exp(-||h^k_x - h^k_j||^2 / tau)                               eq. 8 per kind, as a kernel
 *   s(u, x)   = b_x + tau log sum_k a~^k_ux sum_{j in R_u \ {x}} w_uj K^k(x, j)
 *
 * w_uj weighs purchase j (1, or a recency weight: see recency.ts). The score decomposes exactly
 * into (k, j) terms a~^k_ux w_uj K^k(x, j): the explanation's k* is the kind with the largest
 * share, j* the largest term of k*. Nothing else moves the score (bar the bias b_x), so removing
 * j* from R_u lowers it by construction.
 *
 * Training (mixture-trainer.ts) computes the same score with tfjs over sampled candidate columns;
 * serving (mixture-scoring.ts) in plain TypeScript over the candidates a request needs.
 */
/** Added inside the log: an item with no similar purchase scores about b_x + tau log 1e-6. */
export const MIXTURE_EPSILON = 1e-6;
