import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { CollectionsService } from './collections.service';

/** Benchmark collections: system ones from config/collections, tenant ones in Redis. */
@Module({
  imports: [ProvidersModule],
  providers: [CollectionsService],
  exports: [CollectionsService],
})
export class CollectionsModule {}
