import { graphFailureOf } from './graph-client';

describe('graphFailureOf', () => {
  it('maps Neo4j codes to what a caller can do about them', () => {
    expect(graphFailureOf('ServiceUnavailable')).toBe('unavailable');
    expect(graphFailureOf('N/A')).toBe('unavailable');
    // Seen while the server shuts down with transactions in flight.
    expect(graphFailureOf('Neo.ClientError.Transaction.LockClientStopped')).toBe('unavailable');
    expect(graphFailureOf('Neo.TransientError.Transaction.LockClientStopped')).toBe('unavailable');
    expect(graphFailureOf('Neo.TransientError.General.DatabaseUnavailable')).toBe('unavailable');
    expect(graphFailureOf('Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration')).toBe('timeout');
    expect(graphFailureOf('Neo.ClientError.Statement.SyntaxError')).toBe('query');
    expect(graphFailureOf('Neo.ClientError.Schema.ConstraintValidationFailed')).toBe('query');
  });
});
