import { Module } from '@nestjs/common';
import { CollectionsController } from './collections.controller';
import { CollectionsModule } from './collections.module';

/** The /collections routes (API app only). */
@Module({
  imports: [CollectionsModule],
  controllers: [CollectionsController],
})
export class CollectionsHttpModule {}
