import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { bullConnection } from '../core/redis/redis.provider';
import { EvaluationQueue } from './evaluation-queue.producer';
import { FLOW_PRODUCER, QueueName } from './queue.constants';

/** Registers every queue in both apps (a processor only runs if its queue is registered). */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig) => ({
        connection: bullConnection(cfg),
        prefix: cfg.redisPrefix,
        defaultJobOptions: {
          // Our store is the record of evaluations; Redis keeps finished queue jobs only briefly.
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
        },
      }),
    }),
    BullModule.registerQueue({ name: QueueName.BenchmarkRuns }, { name: QueueName.JobFinalize }, { name: QueueName.Tracking }),
    BullModule.registerFlowProducer({ name: FLOW_PRODUCER }),
  ],
  providers: [EvaluationQueue],
  exports: [BullModule, EvaluationQueue],
})
export class QueueModule {}
