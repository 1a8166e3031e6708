/** The shapes of the GraphQL answers the explorer asks for (see schema.gql). */
export type PathNodeType = 'USER' | 'ITEM' | 'ATTRIBUTE';

export interface PathNode {
  readonly type: PathNodeType;
  /** User or item id; `kind:value` uid for attribute values. */
  readonly id: string;
  readonly name: string;
  readonly kind: string | null;
}

export interface PathRelationship {
  readonly type: string;
  readonly from: string;
  readonly to: string;
}

export interface ExplanationPath {
  readonly nodes: readonly PathNode[];
  readonly relationships: readonly PathRelationship[];
}

export type ExplanationMode = 'SHARED_VALUE' | 'NETWORK_PATH' | 'OTHER_VALUE' | 'NONE';

export interface KindWeight {
  readonly kind: string;
  readonly weight: number;
}

export interface Explanation {
  readonly attribute: string;
  readonly attention: readonly KindWeight[];
  readonly neighbor: { readonly id: string; readonly title: string } | null;
  readonly sharedValues: ReadonlyArray<{ readonly kind: string; readonly id: string; readonly name: string }>;
  readonly mode: ExplanationMode;
  readonly adjacent: boolean;
  readonly path: ExplanationPath | null;
  readonly text: string;
}

export interface ItemSummary {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly coldStart: boolean;
  readonly hidden: boolean;
}

export interface Recommendation {
  readonly rank: number;
  readonly score: number;
  readonly item: ItemSummary;
  readonly explanation: Explanation;
}

export interface UserDetails {
  readonly id: string;
  readonly heldOut: number;
  readonly purchases: ReadonlyArray<{ readonly item: ItemSummary; readonly rating: number; readonly at: number | null }>;
}

export interface UserSummary {
  readonly id: string;
  readonly purchaseCount: number;
}

export interface SimilarItem {
  readonly rank: number;
  readonly score: number;
  readonly item: ItemSummary;
}

export interface AudienceMember {
  readonly rank: number;
  readonly score: number;
  readonly userId: string;
}

export interface ModelInfo {
  readonly version: string;
  readonly dataset: string;
  readonly kinds: readonly string[];
  readonly hidden: readonly number[];
  readonly items: number;
  readonly trainedItems: number;
  readonly users: number;
  readonly trainedAt: string;
  readonly metrics: ReadonlyArray<{ readonly name: string; readonly text: string; readonly value: number | null }>;
}

export type TrainingJobStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface TrainingJob {
  readonly id: string;
  readonly status: TrainingJobStatus;
  readonly phase: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number | null;
  readonly validationNdcg: number | null;
  readonly error: string | null;
  readonly modelVersion: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export interface PurchaseResult {
  readonly userId: string;
  readonly rating: number;
  readonly positive: boolean;
  readonly newUser: boolean;
  readonly item: ItemSummary;
}

/** GET /reports: the evaluation reports the server can show. */
export interface ReportEntry {
  readonly name: string;
  readonly title: string;
  readonly charts: readonly string[];
}
