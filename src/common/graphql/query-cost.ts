import { GraphQLError, getVariableValues, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * Cost of one field in work units, from its (coerced) arguments and the summed cost of its
 * selection under one result row (`child`). Registered per schema coordinate, `Query.audience`.
 */
export type FieldCost = (args: Readonly<Record<string, unknown>>, child: number) => number;

/** Field coordinate -> cost; fields not listed cost 1 plus their selection. */
export type CostTable = ReadonlyMap<string, FieldCost>;

/** The operation's variables coerced by the schema, or the client's mistake in them. */
export type CoercedVariables =
  { readonly ok: true; readonly values: Record<string, unknown> } | { readonly ok: false; readonly errors: readonly GraphQLError[] };

/**
 * Coerces variables as execution would, but before any cost estimate or rate limit reads them: a
 * wrong type, a null for a non-null or a missing required variable is the client's mistake
 * (400 BAD_USER_INPUT), never a crash in a plugin.
 */
export function coerceVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, raw: unknown): CoercedVariables {
  const input = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], input, { maxErrors: 10 });
  return result.errors ? { ok: false, errors: result.errors } : { ok: true, values: result.coerced };
}

/**
 * The estimated cost of an operation: the table's cost for the fields it lists, 1 + selection for
 * the others, fragments and aliases counted as often as they are spread or repeated. Throws a
 * GraphQLError for a document too large to estimate (more nodes than `maxNodes`).
 */
export function estimateCost(options: {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operationName?: string;
  readonly variables: Record<string, unknown>;
  readonly table: CostTable;
  readonly maxNodes?: number;
}): number {
  const fromTable: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
    const cost = options.table.get(`${type.name}.${field.name}`);
    return cost === undefined ? 1 + childComplexity : cost(args, childComplexity);
  };
  return getComplexity({
    schema: options.schema,
    query: options.document,
    operationName: options.operationName,
    variables: options.variables,
    estimators: [fromTable],
    maxQueryNodes: options.maxNodes ?? 10_000,
  });
}
