import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PLANLEDGER_VERSION } from '@planledger/runtime';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** The OpenAPI document, generated from the controllers and their zod schemas. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('PlanLedger API')
    .setDescription('Event-sourced planning and monitoring for sales project teams.')
    .setVersion(PLANLEDGER_VERSION)
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/** Serves the UI at /docs and the JSON at /docs/openapi.json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
}
