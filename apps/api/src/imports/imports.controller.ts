import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  HttpException,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
  UnprocessableEntityException,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ExportMomentInFuture,
  IMPORT_MAX_ROWS,
  Planning,
  SpreadsheetImports,
  WorkbookExport,
  type ImportReport,
  type RequestMetadata,
} from '@planledger/application';
import { readSpreadsheet, SpreadsheetTooLarge, templateCsv, templateWorkbook, UnreadableSpreadsheet } from '@planledger/spreadsheets';
import type { Response } from 'express';
import { diskStorage } from 'multer';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Accounts } from '../auth/accounts.service';
import { Command } from '../http/request-context';
import { LastWrites } from '../http/last-writes';
import { NoRequestDeadline } from '../http/request-deadline';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from '../security/principal';
import { ImportJobs } from './import-jobs';
import { ExportQuery, ImportQuery, TemplateQuery } from './imports.dtos';

/** Largest file an import accepts; beyond it the answer is 413 before anything is read. */
export const IMPORT_MAX_BYTES = 25 * 1024 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Multipart gives file names as Latin-1: a UTF-8 name (中文.xlsx) is restored. */
function uploadedName(name: string): string {
  const restored = Buffer.from(name, 'latin1').toString('utf8');
  return /[^\x20-\x7e]/.test(name) && !restored.includes('\ufffd') ? restored : name;
}

function attachment(response: Response, fileName: string, type: string): void {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  response.setHeader('Content-Type', type);
  response.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
}

function removeUpload(file: Express.Multer.File): Promise<void> {
  return rm(file.path, { force: true }).catch(() => undefined);
}

/** Import errors of the file itself, as HTTP answers. */
function fileError(error: unknown): never {
  if (error instanceof SpreadsheetTooLarge) throw new HttpException({ code: 'TOO_MANY_ROWS', message: error.message }, 413);
  if (error instanceof UnreadableSpreadsheet) throw new UnprocessableEntityException({ code: error.code, message: error.message });
  throw error;
}

@ApiTags('imports')
@Controller()
export class ImportsController {
  constructor(
    private readonly imports: SpreadsheetImports,
    private readonly exports: WorkbookExport,
    private readonly planning: Planning,
    private readonly jobs: ImportJobs,
    private readonly accounts: Accounts,
    private readonly lastWrites: LastWrites,
  ) {}

  @Post('projects/:projectId/imports')
  @HttpCode(200)
  // With wait=true the answer comes when the import has ended, however long that takes.
  @NoRequestDeadline()
  @ApiOperation({
    summary:
      'Import members, goals, tasks and actuals from an .xlsx or CSV (multipart field `file`). A dry run by default: every row checked, problems by sheet, row and column, nothing written. With dryRun=false the import runs as a job (202, poll its Location) unless wait=true; a file with any error writes nothing; importing the same file again writes only what is missing',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @UseInterceptors(
    FileInterceptor('file', {
      storage: diskStorage({ destination: tmpdir() }),
      limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 20 },
    }),
  )
  async import(
    @Param('projectId') projectId: string,
    @Query() query: ImportQuery,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Command() meta: RequestMetadata,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!file)
      throw new BadRequestException({ code: 'FILE_MISSING', message: 'send the spreadsheet as multipart/form-data in the field "file"' });
    // The upload waits on disk and is streamed from there; a job removes it when it ends, this request otherwise.
    let handedToJob = false;
    try {
      if (file.size === 0) throw new UnprocessableEntityException({ code: 'FILE_EMPTY', message: 'the uploaded file is empty' });
      await this.planning.project(projectId);
      const fileName = query.fileName ?? uploadedName(file.originalname || 'upload');
      const options = {
        projectId,
        fileName,
        source: { path: file.path },
        actor: meta.actor,
        // The name people know the importer by, for the history: "imported from targets-Q1.xlsx by Li Na".
        actorName: (await this.accounts.bySubject(principal.subject))?.name ?? principal.name ?? null,
        locale: query.locale,
        kind: query.kind,
        encoding: query.encoding,
      };
      if (query.dryRun) return await this.imports.run({ ...options, dryRun: true }).catch(fileError);
      if (query.wait) {
        const report: ImportReport = await this.imports.run({ ...options, dryRun: false }).catch(fileError);
        if (!report.ok) {
          const errors = report.problems.filter((p) => p.severity === 'error');
          const first = errors
            .slice(0, 3)
            .map((p) => `${p.sheet}${p.row === null ? '' : ` row ${p.row}`}${p.column ? ` column ${p.column}` : ''}: ${p.message}`);
          throw new UnprocessableEntityException({
            code: 'IMPORT_HAS_ERRORS',
            message: `the file has ${errors.length + report.moreProblems} errors and nothing was written (a dry run lists them all); ${first.join('; ')}`,
          });
        }
        return report;
      }
      // The file is read before the job starts, so an unreadable or oversized one is answered at once.
      await readSpreadsheet({ path: file.path }, { fileName, kind: query.kind, encoding: query.encoding, maxRows: IMPORT_MAX_ROWS }).catch(
        fileError,
      );
      const job = await this.jobs.start(projectId, fileName, meta.actor, (onProgress) =>
        this.imports.run({ ...options, dryRun: false, onProgress }).finally(() => removeUpload(file)),
      );
      handedToJob = true;
      response.status(202);
      response.setHeader('Location', `/projects/${projectId}/imports/${job.jobId}`);
      return job;
    } finally {
      if (!handedToJob) await removeUpload(file);
    }
  }

  @Get('projects/:projectId/imports/:jobId')
  @ApiOperation({
    summary:
      'An import job, as any API process kept it: status (running, succeeded, failed, or interrupted when its process stopped: post the file again to resume), progress by phase and, when done, its report',
  })
  async job(@Param('projectId') projectId: string, @Param('jobId') jobId: string) {
    const job = await this.jobs.get(projectId, jobId);
    if (!job)
      throw new NotFoundException({
        code: 'IMPORT_NOT_FOUND',
        message: `no import ${jobId} in project ${projectId} (finished jobs are kept for 7 days; post the file again to import it)`,
      });
    return job;
  }

  @Get('imports/template.xlsx')
  @ApiOperation({ summary: 'The import workbook: one sheet per kind, its columns, an example row and drop-down lists (lang=en or zh-CN)' })
  async template(@Query() query: TemplateQuery, @Res({ passthrough: true }) response: Response) {
    const zh = query.lang === 'zh-CN';
    attachment(response, zh ? 'PlanLedger-导入模板.xlsx' : 'planledger-import-template.xlsx', XLSX);
    return new StreamableFile(await templateWorkbook(zh ? 'zh' : 'en'));
  }

  @Get('imports/template.csv')
  @ApiOperation({ summary: 'The CSV template of one kind (kind=members, goals, tasks or actuals): header and example row, UTF-8 with BOM' })
  templateCsv(@Query() query: TemplateQuery, @Res({ passthrough: true }) response: Response) {
    attachment(response, `${query.kind}.csv`, 'text/csv; charset=utf-8');
    return new StreamableFile(templateCsv(query.kind, query.lang === 'zh-CN' ? 'zh' : 'en'));
  }

  @Get('projects/:projectId/export.xlsx')
  @ApiOperation({
    summary:
      'The project as a workbook for people: goals with target, actual, attainment, expected, forecast and status (the progress view’s figures), members, tasks, alerts and plan changes with reasons; now or as of a past moment (asOf), or judged on another day with what is known now (date, as the overview’s ?date=), in en or zh-CN',
  })
  async export(
    @Param('projectId') projectId: string,
    @Query() query: ExportQuery,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    try {
      const workbook = await this.exports.build(projectId, {
        asOf: query.asOf,
        date: query.date,
        lang: query.lang as 'en' | 'zh-CN',
        minPosition: await this.lastWrites.minPosition(request, undefined),
      });
      attachment(response, workbook.fileName, XLSX);
      response.setHeader('X-As-Of', workbook.asOf);
      return new StreamableFile(workbook.bytes);
    } catch (error) {
      if (error instanceof ExportMomentInFuture) throw new UnprocessableEntityException({ code: error.code, message: error.message });
      throw error;
    }
  }
}
