import { Module } from '@nestjs/common';
import { ProvidersService } from './providers.service';

/** Provider catalog: system providers from config/providers, tenant providers in Redis. */
@Module({
  providers: [ProvidersService],
  exports: [ProvidersService],
})
export class ProvidersModule {}
