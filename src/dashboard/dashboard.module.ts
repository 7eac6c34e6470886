import { Module } from '@nestjs/common';
import { DashboardBundle } from './dashboard-bundle';
import { DashboardController } from './dashboard.controller';

/** The web dashboard (src/dashboard/app, bundled by scripts/build-dashboard.js), API process only. */
@Module({
  controllers: [DashboardController],
  providers: [{ provide: DashboardBundle, useFactory: () => new DashboardBundle() }],
})
export class DashboardModule {}
