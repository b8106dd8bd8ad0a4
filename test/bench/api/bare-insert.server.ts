/**
 * The baseline of `bench:api`: a bare NestJS endpoint that does one INSERT per request, with the
 * same pool size and the same JSON parsing, and no validation, domain or event store at all.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env['BENCH_BARE_DATABASE_URL'], max: 10 });

@Controller()
class InsertController {
  @Post('insert')
  @HttpCode(201)
  async insert(@Body() body: Record<string, unknown>) {
    const { rows } = await pool.query<{ id: string }>('INSERT INTO bare_rows (data) VALUES ($1) RETURNING id::text AS id', [
      JSON.stringify(body),
    ]);
    return { id: rows[0].id };
  }
}

@Module({ controllers: [InsertController] })
class BareModule {}

async function main() {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bare_rows (id bigserial PRIMARY KEY, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
  );
  const app = await NestFactory.create(BareModule, { logger: ['error'] });
  await app.listen(Number(process.env['PORT']), '127.0.0.1');
  process.stdout.write('bare insert server listening\n');
  process.once('SIGTERM', async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  });
}
main();
