import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_RESPONSES, problemSchema } from '@planledger/contracts';
import { PLANLEDGER_VERSION } from '@planledger/runtime';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { z } from 'zod';
import { ROUTE_POLICIES } from './security/route-policies';

type Operation = {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  responses: Record<string, { description: string; content?: unknown }>;
};

const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The error answers each operation can give, all with the Problem body, decided in one place from
 * what the operation is (as the ProblemFilter answers them in one place): every operation can fail
 * unexpectedly (500); one with parameters or a body can be refused as invalid (400); one naming an
 * id can find nothing (404); one in the policy table needs a credential (401) that may not allow it
 * (403) and is rate limited (429); a command can meet a size limit (413), a domain rule (422) and concurrent writers (409);
 * one taking If-Match can find it stale (412).
 */
export function addProblemResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas['Problem'] = z.toJSONSchema(problemSchema, { target: 'openapi-3.0' }) as never;
  const content = { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const write = WRITE_METHODS.has(method);
      const parameters = operation.parameters ?? [];
      const codes: (keyof typeof PROBLEM_RESPONSES)[] = [500];
      if (write || parameters.some((p) => p.in !== 'header')) codes.push(400);
      if (path.includes('{')) codes.push(404);
      if (ROUTE_POLICIES[`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`]) codes.push(401, 403, 429);
      else {
        operation.security = [];
        // Sign-in routes take no credential, but refuse a wrong one (401), a foreign Origin (403) and guessing (429).
        if (path.startsWith('/auth/')) codes.push(401, 403, 429);
      }
      if (write) codes.push(409, 413, 422);
      if (parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match')) codes.push(412);
      for (const code of codes) {
        const existing = operation.responses[code];
        operation.responses[code] = existing?.content
          ? existing
          : { description: existing?.description ?? PROBLEM_RESPONSES[code], content };
      }
    }
  }
  return document;
}

/** The OpenAPI document, generated from the controllers and their zod schemas. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('PlanLedger API')
    .setDescription('Event-sourced planning and monitoring for sales project teams.')
    .setVersion(PLANLEDGER_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'ApiKey <key> (service accounts)' }, 'apiKey')
    .addCookieAuth(
      'planledger_session',
      {
        type: 'apiKey',
        in: 'cookie',
        name: 'planledger_session',
        description: 'A browser session (POST /auth/…); changes also send X-CSRF-Token with the planledger_csrf cookie’s value',
      },
      'session',
    )
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('apiKey')
    .addSecurityRequirements('session')
    .build();
  return addProblemResponses(cleanupOpenApiDoc(SwaggerModule.createDocument(app, config)));
}

/** Serves the UI at /docs and the JSON at /docs/openapi.json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
}
