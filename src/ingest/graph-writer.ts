import type { ProgressSink } from '../common/logging/progress';
import type { ImportPlan } from './import-plan';

/** How an import plan reaches Neo4j. Chosen once per import (see chooseWriter in import-dataset.ts). */
export interface GraphWriter {
  /** `transactional` or `bulk`, recorded in the dataset's Meta node. */
  readonly name: string;
  /**
   * Writes schema, nodes, relationships and (when the plan has them) the attribute networks.
   * Timed sub-phases are reported through `phase`.
   */
  write(plan: ImportPlan, progress: ProgressSink, phase: PhaseTimer): Promise<void>;
}

/** Runs one named phase of an import and records its seconds and row count. */
export type PhaseTimer = <T>(name: string, rows: () => number, work: () => Promise<T>) => Promise<T>;
