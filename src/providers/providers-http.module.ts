import { Module } from '@nestjs/common';
import { ProvidersController } from './providers.controller';
import { ProvidersModule } from './providers.module';

/** The /providers routes; only the API app imports this, the worker uses ProvidersModule alone. */
@Module({
  imports: [ProvidersModule],
  controllers: [ProvidersController],
})
export class ProvidersHttpModule {}
