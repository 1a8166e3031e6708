import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Logger } from '../common/logging/logger';
import type { MetricsService } from './metrics.service';

/**
 * Times every GraphQL request into the latency histogram and logs it. The `operation` label is the
 * operation's root field names (e.g. `recommend`), bounded by the schema, rather than the
 * client-chosen operation name, which could grow the label set without limit.
 */
export function graphqlMetricsPlugin(metrics: MetricsService, logger: Logger): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ document, operationName, errors, operation }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const op = operation ?? findOperation(document, operationName ?? undefined);
          const name = op ? rootFields(op) : 'invalid';
          const type = op?.operation ?? 'unknown';
          const failed = (errors?.length ?? 0) > 0;
          metrics.operationSeconds.observe({ operation: name, type, status: failed ? 'error' : 'ok' }, seconds);
          for (const e of errors ?? []) {
            const code = typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR';
            metrics.operationErrors.inc({ operation: name, code });
          }
          if (logger.isLevelEnabled('debug') || failed) {
            const fields = { operation: name, type, ms: Math.round(seconds * 10000) / 10, errors: errors?.map((e) => e.message) };
            if (failed) logger.info(fields, 'graphql operation failed');
            else logger.debug(fields, 'graphql operation');
          }
        },
      };
    },
  };
}

function findOperation(document: DocumentNode | undefined, name: string | undefined): OperationDefinitionNode | undefined {
  const ops = (document?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name === undefined ? ops[0] : ops.find((o) => o.name?.value === name);
}

function rootFields(op: OperationDefinitionNode): string {
  const names = op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  return [...new Set(names)].sort().join('+') || 'fragment';
}
