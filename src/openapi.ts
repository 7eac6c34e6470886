import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { describeDocument } from './openapi-descriptions';
import { withEnforcedConstraints } from './openapi-constraints';
import { withRequestExamples } from './openapi-examples';

/** Swagger UI at /docs, the document at /openapi.json and /openapi.yaml. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('EvalHub API')
    .setDescription(
      'Runs LLM evaluations: discover providers, benchmarks and collections; submit jobs for a model endpoint; follow their status, results and logs. Compatible with the EvalHub v1 API and its Python SDK.',
    )
    .setVersion('v1')
    .build();
  const document = withRequestExamples(withEnforcedConstraints(describeDocument(SwaggerModule.createDocument(app, config))));
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'EvalHub API',
  });
}
