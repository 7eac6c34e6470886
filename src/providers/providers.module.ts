import { Module } from '@nestjs/common';
import { ProviderAvailabilityService } from './provider-availability.service';
import { ProvidersService } from './providers.service';

/** Provider catalog: system providers from config/providers, tenant providers in Redis. */
@Module({
  providers: [ProvidersService, ProviderAvailabilityService],
  exports: [ProvidersService, ProviderAvailabilityService],
})
export class ProvidersModule {}
