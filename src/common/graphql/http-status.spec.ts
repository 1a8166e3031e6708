import { httpStatusOf, httpStatusOfAll } from './http-status';

describe('HTTP status of error-only responses', () => {
  it('maps client mistakes to 4xx, outages to 503 and unknown codes to 500', () => {
    expect(httpStatusOf('BAD_USER_INPUT')).toBe(400);
    expect(httpStatusOf('UNAUTHENTICATED')).toBe(401);
    expect(httpStatusOf('FORBIDDEN')).toBe(403);
    expect(httpStatusOf('RATE_LIMITED')).toBe(429);
    expect(httpStatusOf('PAYLOAD_TOO_LARGE')).toBe(413);
    expect(httpStatusOf('SERVICE_UNAVAILABLE')).toBe(503);
    expect(httpStatusOf('INTERNAL_SERVER_ERROR')).toBe(500);
    expect(httpStatusOf(undefined)).toBe(500);
  });

  it('picks one status for mixed errors: a bug first, then an outage, else 400', () => {
    expect(httpStatusOfAll(['NOT_FOUND', 'NOT_FOUND'])).toBe(404);
    expect(httpStatusOfAll(['NOT_FOUND', 'BAD_USER_INPUT'])).toBe(400);
    expect(httpStatusOfAll(['NOT_FOUND', 'SERVICE_UNAVAILABLE'])).toBe(503);
    expect(httpStatusOfAll(['SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR'])).toBe(500);
  });
});
