/**
 * Attention study (paper section 5.3): does the attention say which attribute network a user's
 * recommendations depend on?
 *
 * 1. After the study model is fitted on a seed's leave-one-out split, each test user's mean
 *    attention on one kind (default `actor`) is read with `userAttentionProfile`: the attention
 *    weight a~^k_{u,j} of kind k, averaged over the user's training purchases j (the paper's "average
 *    attention scores for all the items that they have interacted with").
 * 2. Three disjoint groups of `groupSize` (40) test users: Max (highest mean attention on the kind),
 *    Min (lowest), Random (a seeded draw among the remaining users, so that no user is in two groups).
 * 3. The same spec is fitted again, same seed and split, on every attribute network except that
 *    kind, and each group's mean nDCG@10 (loo-sampled: target + sampled negatives, the protocol's
 *    own ranks) with and without the network is compared. The paper expects Max to drop most.
 * 4. Where the data has planted drivers (the synthetic world: user id -> driver kind), how often
 *    the user's top-attention kind is the planted driver, overall and per driver (chance 1/K).
 *
 * The network is removed by fitting on a view whose item attributes lack the kind
 * (`restrictedToKinds`), which any spec accepts; the attribute networks are built per kind from
 * the same training positives, so this equals the harness option `kinds` (tested).
 */
import { userAttentionProfile } from '../model/explain';
import type { EranRecommender } from './eran-recommender';
import { ndcgAtK } from './metrics';
import { evaluateLooSampled, type Recommender, testUsers } from './protocols';
import { streamRng } from './seeds';
import type { LooSplit } from './split';
import { formatSpread, type Spread, spreadOf } from './stats';
import { barPanelsSvg } from './svg-charts';
import type { TrainView } from './train-view';

export const DEFAULT_STUDY_KIND = 'actor';
export const DEFAULT_GROUP_SIZE = 40;
/** The cutoff of the group metric (nDCG@10, as in the paper's Figure 4). */
export const STUDY_K = 10;

export type GroupName = 'Max' | 'Min' | 'Random';
export const GROUP_NAMES: readonly GroupName[] = ['Max', 'Min', 'Random'];

export interface AttentionGroups {
  /** The size every group got: the requested size, or floor(users / 3) when there are too few users. */
  readonly size: number;
  /** Highest attention first. */
  readonly max: readonly number[];
  /** Lowest attention first. */
  readonly min: readonly number[];
  /** Drawn among the users in neither Max nor Min, in draw order. */
  readonly random: readonly number[];
}

/**
 * Max / Min / Random groups from `attention[k]`, the attention of `users[k]`. Ties are broken by
 * the user index (lower first among equals), so the groups do not depend on the input order.
 */
export function selectAttentionGroups(users: readonly number[], attention: ArrayLike<number>, size: number, seed: number): AttentionGroups {
  if (users.length !== attention.length) {
    throw new Error(`selectAttentionGroups: ${users.length} users but ${attention.length} attention values`);
  }
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`selectAttentionGroups: size must be a positive integer, got ${size}`);
  for (let k = 0; k < attention.length; k++) {
    if (!Number.isFinite(attention[k])) throw new RangeError(`selectAttentionGroups: attention of user ${users[k]} is ${attention[k]}`);
  }
  if (new Set(users).size !== users.length) throw new Error('selectAttentionGroups: users must be distinct');
  const order = users.map((u, k) => ({ u, a: attention[k] })).sort((x, y) => y.a - x.a || x.u - y.u);
  const n = Math.min(size, Math.floor(order.length / 3));
  const max = order.slice(0, n).map((x) => x.u);
  const min = order
    .slice(order.length - n)
    .reverse()
    .map((x) => x.u);
  const middle = order.slice(n, order.length - n).map((x) => x.u);
  const random = streamRng(seed, 'attention-study/random-group').sample(middle, n);
  return { size: n, max, min, random };
}

/** `view` with the item attributes of the `keep` kinds only (in `keep` order). */
export function withKinds(view: TrainView, keep: readonly string[]): TrainView {
  const attributes = view.attributes;
  if (!attributes) throw new Error('withKinds: the view has no item attributes');
  const missing = keep.filter((k) => !attributes.kinds.includes(k));
  if (keep.length === 0 || missing.length > 0) {
    throw new Error(`withKinds: expected a non-empty subset of ${attributes.kinds.join(', ')}, got ${JSON.stringify(keep)}`);
  }
  const byKind = keep.map((k) => attributes.byKind.find((b) => b.kind === k)!);
  return { ...view, attributes: { kinds: [...keep], byKind } };
}

/** A model that fits on the `keep` kinds of whatever view it is given (the rest delegates to `model`). */
export function restrictedToKinds(model: EranRecommender, keep: readonly string[]): EranRecommender {
  return {
    name: `${model.name} (${keep.join(', ')})`,
    fit: (view, opts) => model.fit(withKinds(view, keep), opts),
    scoreUser: (user, candidates) => model.scoreUser(user, candidates),
    inspect: () => model.inspect(),
    lastTraining: () => model.lastTraining(),
    coldVariants: () => model.coldVariants(),
    withServingPath: (path) => model.withServingPath(path),
    candidatesOf: (user) => model.candidatesOf(user),
  };
}

/** Whether a recommender exposes its fitted eRAN model (`inspect`). */
export function isInspectable(model: Recommender): model is EranRecommender {
  return typeof (model as Partial<EranRecommender>).inspect === 'function';
}

export interface GroupResult {
  readonly group: GroupName | 'All';
  readonly users: number;
  /** Mean over the group's users of their mean attention on the study kind. */
  readonly meanAttention: number;
  readonly ndcgWith: number;
  readonly ndcgWithout: number;
  /** ndcgWith - ndcgWithout (positive: removing the network hurt). */
  readonly drop: number;
  /** drop / ndcgWith; NaN when ndcgWith is 0. */
  readonly relativeDrop: number;
}

export interface DriverRow {
  readonly driver: string;
  readonly users: number;
  /** Share of these users whose top-attention kind is the driver. */
  readonly agreement: number;
  /** Mean attention profile of these users, per model kind. */
  readonly meanAttention: Readonly<Record<string, number>>;
}

export interface DriverAgreement {
  readonly kinds: readonly string[];
  /** 1 / K. */
  readonly chance: number;
  readonly users: number;
  readonly agreement: number;
  readonly perDriver: readonly DriverRow[];
}

export interface AttentionStudyResult {
  readonly seed: number;
  readonly model: string;
  readonly kind: string;
  /** How the attention was read. */
  readonly attentionSource: string;
  /** Kinds of the full model and of the retrained one, as inspected after fitting. */
  readonly kinds: readonly string[];
  readonly kindsWithout: readonly string[];
  readonly testUsers: number;
  /** Test users with a learned user embedding and a non-empty history (the groups' pool). */
  readonly profiledUsers: number;
  readonly groupSize: number;
  /** Max, Min, Random, then All (every profiled user). */
  readonly groups: readonly GroupResult[];
  /** The user ids of each group (Max and Min: most extreme first). */
  readonly members: Readonly<Record<GroupName, readonly string[]>>;
  readonly drivers?: DriverAgreement;
  readonly fitSeconds: number;
}

export interface AttentionStudyInput {
  readonly split: LooSplit;
  /** The view the full model was fitted on (with item attributes). */
  readonly view: TrainView;
  /** The study model, fitted on `view` with `seed`. */
  readonly full: Recommender;
  /** A fresh, unfitted model of the same spec and parameters, fitted here without the kind. */
  readonly create: () => Recommender;
  readonly seed: number;
}

export interface AttentionStudyOptions {
  /** Default `actor`. */
  readonly kind?: string;
  /** Default 40. */
  readonly groupSize?: number;
  /** Planted driver kind per user id (synthetic worlds). */
  readonly drivers?: ReadonlyMap<string, string>;
}

export async function runAttentionStudy(input: AttentionStudyInput, options: AttentionStudyOptions = {}): Promise<AttentionStudyResult> {
  const { split, view, full, seed } = input;
  const kind = options.kind ?? DEFAULT_STUDY_KIND;
  const groupSize = options.groupSize ?? DEFAULT_GROUP_SIZE;
  if (!isInspectable(full)) throw new Error(`attention study: ${full.name} is not an eRAN model (no inspect())`);
  const inspection = full.inspect();
  if (!inspection) throw new Error(`attention study: ${full.name} is not fitted`);
  const emb = inspection.embeddings;
  const kinds = [...emb.kinds];
  const k = kinds.indexOf(kind);
  if (k < 0) throw new Error(`attention study: the model has no "${kind}" network (kinds: ${kinds.join(', ')})`);
  if (kinds.length < 2) throw new Error(`attention study: "${kind}" is the model's only network; nothing is left without it`);

  const tested = testUsers(split);
  const profiled: number[] = [];
  const profiles: number[][] = [];
  for (const u of tested) {
    const history = inspection.history(u);
    const user = inspection.modelUser(u);
    if (user === null || history.length === 0) continue;
    profiled.push(u);
    profiles.push(userAttentionProfile(emb, user, history).map((a) => a.weight));
  }
  const attention = profiles.map((p) => p[k]);
  const groups = selectAttentionGroups(profiled, attention, groupSize, seed);

  const keep = kinds.filter((x) => x !== kind);
  const started = performance.now();
  const created = input.create();
  if (!isInspectable(created)) throw new Error(`attention study: ${created.name} is not an eRAN model (no inspect())`);
  const without = restrictedToKinds(created, keep);
  await without.fit(view, { seed });
  const fitSeconds = (performance.now() - started) / 1000;
  const kindsWithout = [...(without.inspect()?.embeddings.kinds ?? [])];

  const ranksWith = evaluateLooSampled(full, split).ranks!;
  const ranksWithout = evaluateLooSampled(without, split).ranks!;
  const attentionOf = new Map(profiled.map((u, i) => [u, attention[i]]));
  const row = (group: GroupName | 'All', users: readonly number[]): GroupResult => {
    const mean = (f: (u: number) => number): number => (users.length ? users.reduce((s, u) => s + f(u), 0) / users.length : NaN);
    const ndcgWith = mean((u) => ndcgAtK(ranksWith[u], STUDY_K));
    const ndcgWithout = mean((u) => ndcgAtK(ranksWithout[u], STUDY_K));
    const drop = ndcgWith - ndcgWithout;
    return {
      group,
      users: users.length,
      meanAttention: mean((u) => attentionOf.get(u)!),
      ndcgWith,
      ndcgWithout,
      drop,
      relativeDrop: ndcgWith > 0 ? drop / ndcgWith : NaN,
    };
  };

  let drivers: DriverAgreement | undefined;
  if (options.drivers) {
    const planted = profiled.map((u) => options.drivers!.get(split.userIds[u]));
    const known = planted.map((d, i) => ({ d, p: profiles[i] })).filter((x): x is { d: string; p: number[] } => x.d !== undefined);
    if (known.length > 0)
      drivers = driverAgreement(
        kinds,
        known.map((x) => x.p),
        known.map((x) => x.d),
      );
  }

  return {
    seed,
    model: full.name,
    kind,
    attentionSource: "userAttentionProfile: a~^k_{u,j} averaged over the user's training purchases j",
    kinds,
    kindsWithout,
    testUsers: tested.length,
    profiledUsers: profiled.length,
    groupSize: groups.size,
    groups: [row('Max', groups.max), row('Min', groups.min), row('Random', groups.random), row('All', profiled)],
    members: {
      Max: groups.max.map((u) => split.userIds[u]!),
      Min: groups.min.map((u) => split.userIds[u]!),
      Random: groups.random.map((u) => split.userIds[u]!),
    },
    ...(drivers ? { drivers } : {}),
    fitSeconds,
  };
}

/** Index of the largest value (the first among equals). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * How often the top-attention kind of a user's profile is the user's planted driver: overall and
 * per driver kind, beside the chance level 1/K and each driver group's mean attention profile.
 */
export function driverAgreement(kinds: readonly string[], profiles: readonly ArrayLike<number>[], drivers: readonly string[]): DriverAgreement {
  if (profiles.length !== drivers.length) throw new Error(`driverAgreement: ${profiles.length} profiles but ${drivers.length} drivers`);
  const hits = profiles.map((p, i) => kinds[argmax(p)] === drivers[i]);
  const names = [...new Set([...kinds.filter((k) => drivers.includes(k)), ...drivers])];
  const perDriver = names.map((driver): DriverRow => {
    const mine = drivers.map((_, i) => i).filter((i) => drivers[i] === driver);
    const meanAttention: Record<string, number> = {};
    kinds.forEach((kind, k) => (meanAttention[kind] = mine.reduce((s, i) => s + profiles[i][k], 0) / mine.length));
    return { driver, users: mine.length, agreement: mine.filter((i) => hits[i]).length / mine.length, meanAttention };
  });
  return {
    kinds,
    chance: 1 / kinds.length,
    users: profiles.length,
    agreement: profiles.length ? hits.filter(Boolean).length / profiles.length : NaN,
    perDriver,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

export interface StudySection {
  readonly markdown: readonly string[];
  /** SVG bar chart of the drops per group (mean over seeds). */
  readonly chart: string;
}

/** The report section (several seeds: mean ± sd per cell) and its chart, named by the caller. */
export function renderAttentionStudy(results: readonly AttentionStudyResult[], chartFile = 'attention-study.svg'): StudySection {
  const first = results[0]!;
  const seeds = results.map((r) => r.seed);
  const cell = (values: readonly number[], digits = 4): string => formatSpread(finiteSpread(values), digits);
  const md: string[] = [`## Attention study (paper 5.3): without the ${first.kind} network`, ''];
  md.push(
    `Model ${first.model}, seeds ${seeds.join(', ')}${seeds.length > 1 ? ' (mean ± sd over seeds)' : ''}. ` +
      `Each test user's mean attention on **${first.kind}** is read from the fitted model with ${first.attentionSource}. ` +
      `Groups of ${groupSizes(results)} test users: Max (highest), Min (lowest), Random (seeded draw among the other users; the groups are disjoint). ` +
      `The same spec is then fitted again with the same seed and split on ${first.kindsWithout.join(', ')} only ` +
      `(inspected model kinds: ${first.kinds.join(', ')} → ${first.kindsWithout.join(', ')}). ` +
      `Metric: nDCG@${STUDY_K}, leave-one-out with sampled negatives (the protocol's ranks). ` +
      `Study kind set by \`--study-kind\` (here ${first.kind}).`,
    '',
  );
  md.push(
    `| group | users | mean ${first.kind} attention | nDCG@${STUDY_K} with ${first.kind} | without | drop | relative drop |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const group of [...GROUP_NAMES, 'All' as const]) {
    const rows = results.map((r) => r.groups.find((g) => g.group === group)!);
    md.push(
      `| ${group === 'All' ? 'all profiled test users' : group} | ${cell(
        rows.map((g) => g.users),
        0,
      )} | ${cell(
        rows.map((g) => g.meanAttention),
        3,
      )} | ` +
        `${cell(rows.map((g) => g.ndcgWith))} | ${cell(rows.map((g) => g.ndcgWithout))} | ${cell(rows.map((g) => g.drop))} | ${percent(finiteSpread(rows.map((g) => g.relativeDrop)))} |`,
    );
  }
  md.push('');
  const maxMost = results.filter((r) => {
    const drop = (g: GroupName): number => r.groups.find((x) => x.group === g)!.drop;
    return drop('Max') > drop('Min') && drop('Max') > drop('Random');
  }).length;
  md.push(
    `Paper's expectation (Max drops most): ${maxMost === results.length ? 'holds' : maxMost === 0 ? 'does not hold' : 'holds only partly'} ` +
      `(Max's absolute drop above both Min's and Random's in ${maxMost} of ${results.length} seed${results.length > 1 ? 's' : ''}). ` +
      `With ${groupSizes(results)} users per group one user moving in or out of the top ${STUDY_K} changes a group's nDCG@${STUDY_K} by up to ${(1 / Math.max(1, first.groupSize)).toFixed(3)}.`,
    '',
  );
  md.push(`![attention-study drops](${chartFile})`, '', 'A negative drop (a gain without the network) is drawn as an empty bar beside its value.', '');

  const withDrivers = results.filter((r) => r.drivers);
  if (withDrivers.length > 0) {
    const d0 = withDrivers[0].drivers!;
    md.push('### Top-attention kind vs planted driver', '');
    md.push(
      `The data plants a driver kind per user. Share of profiled test users whose top-attention kind (argmax of the mean attention profile) is their driver: ` +
        `**${percent(finiteSpread(withDrivers.map((r) => r.drivers!.agreement)))}** over ${cell(
          withDrivers.map((r) => r.drivers!.users),
          0,
        )} users ` +
        `(chance 1/K = ${percent(spreadOf([d0.chance]))}).`,
      '',
    );
    md.push(`| planted driver | users | top kind = driver | ${d0.kinds.map((k) => `mean attention ${k}`).join(' | ')} |`);
    md.push(`| --- | ---: | ---: |${d0.kinds.map(() => ' ---: |').join('')}`);
    for (const driver of d0.perDriver.map((p) => p.driver)) {
      const rows = withDrivers.map((r) => r.drivers!.perDriver.find((p) => p.driver === driver)).filter((p): p is DriverRow => p !== undefined);
      md.push(
        `| ${driver} | ${cell(
          rows.map((p) => p.users),
          0,
        )} | ${percent(finiteSpread(rows.map((p) => p.agreement)))} | ` +
          `${d0.kinds
            .map((k) =>
              cell(
                rows.map((p) => p.meanAttention[k] ?? NaN),
                3,
              ),
            )
            .join(' | ')} |`,
      );
    }
    md.push('');
  }

  const spreadOfGroup = (g: GroupName, f: (x: GroupResult) => number): Spread => finiteSpread(results.map((r) => f(r.groups.find((x) => x.group === g)!)));
  const chart = barPanelsSvg(
    {
      title: `Attention study: nDCG@${STUDY_K} drop without the ${first.kind} network (${first.model})`,
      panels: [
        {
          title: `mean ${first.kind} attention`,
          values: GROUP_NAMES.map((g) =>
            bar(
              g,
              spreadOfGroup(g, (x) => x.meanAttention),
            ),
          ),
        },
        {
          title: `nDCG@${STUDY_K} drop (absolute)`,
          values: GROUP_NAMES.map((g) =>
            bar(
              g,
              spreadOfGroup(g, (x) => x.drop),
            ),
          ),
        },
        {
          title: 'relative drop',
          values: GROUP_NAMES.map((g) =>
            bar(
              g,
              spreadOfGroup(g, (x) => x.relativeDrop),
            ),
          ),
        },
      ],
    },
    GROUP_NAMES,
  );
  return { markdown: md, chart };
}

function bar(label: string, s: Spread): { label: string; mean: number; sd: number } {
  return { label, mean: Number.isFinite(s.mean) ? s.mean : 0, sd: Number.isFinite(s.sd) ? s.sd : 0 };
}

function groupSizes(results: readonly AttentionStudyResult[]): string {
  const sizes = [...new Set(results.map((r) => r.groupSize))];
  return sizes.join(' / ');
}

/** Spread over the finite values only (a NaN relative drop of a seed with nDCG 0 is left out). */
export function finiteSpread(values: readonly number[]): Spread {
  return spreadOf(values.filter((v) => Number.isFinite(v)));
}

export function percent(s: Spread): string {
  if (Number.isNaN(s.mean)) return 'n/a';
  return s.n > 1 ? `${(100 * s.mean).toFixed(1)}% ± ${(100 * s.sd).toFixed(1)}` : `${(100 * s.mean).toFixed(1)}%`;
}
