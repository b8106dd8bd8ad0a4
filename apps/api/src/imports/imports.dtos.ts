import { SHEET_KINDS, TEXT_ENCODINGS } from '@planledger/spreadsheets';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

const flag = (description: string, fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default(fallback)
    .transform((v) => v === 'true')
    .describe(description);

/** POST /projects/{id}/imports */
export const importQuerySchema = z
  .object({
    dryRun: flag('Check every row and write nothing (the default); false imports', 'true'),
    wait: flag(
      'With dryRun=false: answer when the import is done (200, or 422 with the report) instead of 202 with a job to poll',
      'false',
    ),
    locale: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as zh-CN, en-US or de-DE')
      .optional()
      .describe('Locale the file was made in: decides 15/01/2027 vs 1/15/2027 and 1.234,5 vs 1,234.5'),
    kind: z
      .enum(SHEET_KINDS, { error: `must be one of ${SHEET_KINDS.join(', ')}` })
      .optional()
      .describe("A CSV's rows, when its headers do not tell"),
    encoding: z
      .enum(TEXT_ENCODINGS, { error: `must be one of ${TEXT_ENCODINGS.join(', ')}` })
      .optional()
      .describe("A CSV's encoding when it has no BOM (otherwise UTF-8 when valid, else GB18030)"),
    fileName: z.string().trim().min(1).max(200).optional().describe('The name recorded for the import; the uploaded file name when absent'),
  })
  .strict();
export class ImportQuery extends createZodDto(importQuerySchema) {}

const languageSchema = z
  .enum(['en', 'zh-CN', 'zh'], { error: 'must be en or zh-CN' })
  .default('en')
  .transform((l) => (l === 'zh' ? 'zh-CN' : l));

/** GET /imports/template.xlsx and .csv */
export const templateQuerySchema = z
  .object({
    lang: languageSchema.describe('Header language: en or zh-CN'),
    kind: z
      .enum(SHEET_KINDS, { error: `must be one of ${SHEET_KINDS.join(', ')}` })
      .default('actuals')
      .describe('CSV only: which rows'),
  })
  .strict();
export class TemplateQuery extends createZodDto(templateQuerySchema) {}

/** GET /projects/{id}/export.xlsx */
export const exportQuerySchema = z
  .object({
    asOf: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2027-01-31T18:00:00Z' })
      .optional()
      .describe('The moment the workbook describes, as the system knew it then; now when absent'),
    date: z.iso
      .date({ error: 'must be a date like 2027-01-31' })
      .optional()
      .describe(
        'Without asOf: the day the figures are judged on, with what is known now (as GET /projects/{id}/progress?date=); today when absent',
      ),
    lang: languageSchema.describe('Sheet names, headers and statuses in en or zh-CN'),
  })
  .strict()
  .refine((q) => q.asOf === undefined || q.date === undefined, {
    message: 'give either asOf (what was known then) or date (a day judged with what is known now), not both',
    path: ['date'],
  });
export class ExportQuery extends createZodDto(exportQuerySchema) {}
