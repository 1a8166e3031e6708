import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRing } from './auth/api-key-ring';
import { ClientRateLimits } from './request/client-rate-limits';
import { CpuScheduler } from './request/cpu-scheduler';

/**
 * Infrastructure every resolver shares, not a feature: the API keys and the guard that checks
 * them on every root field, the per-client rate limits, and the scheduler that spaces out CPU work.
 */
@Global()
@Module({
  providers: [ApiKeyRing, ClientRateLimits, CpuScheduler, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyRing, ClientRateLimits, CpuScheduler],
})
export class RequestPolicyModule {}
