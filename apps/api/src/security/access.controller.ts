import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, type RequestMetadata } from '@planledger/application';
import {
  grantAccessBodySchema,
  issueApiKeyBodySchema,
  issuedApiKeySchema,
  revokeAccessBodySchema,
  revokeApiKeyBodySchema,
} from '@planledger/contracts';
import type { Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { Command } from '../http/request-context';
import { commandResponse } from '../planning/command-response';
import { CommandResultDto } from '../planning/planning.dtos';

class GrantAccessBody extends createZodDto(grantAccessBodySchema) {}
class RevokeAccessBody extends createZodDto(revokeAccessBodySchema) {}
class IssueApiKeyBody extends createZodDto(issueApiKeyBodySchema) {}
class RevokeApiKeyBody extends createZodDto(revokeApiKeyBodySchema) {}
class IssuedApiKeyDto extends createZodDto(issuedApiKeySchema) {}

@ApiTags('access')
@Controller()
export class AccessController {
  constructor(private readonly access: Access) {}

  @Get('projects/:projectId/access')
  @ApiOperation({ summary: 'Who holds which role in the project' })
  async grants(@Param('projectId') projectId: string) {
    const grants = (await this.access.current()).grants.get(projectId) ?? new Map();
    return { projectId, grants: [...grants.entries()].map(([subject, grant]) => ({ subject, ...grant })) };
  }

  @Post('projects/:projectId/access')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give a user or service account a role in the project (replaces the role it held)' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async grant(
    @Param('projectId') projectId: string,
    @Body() body: GrantAccessBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(response, projectId, await this.access.grant(projectId, body.subject, body.role, body.memberId, meta));
  }

  @Post('projects/:projectId/access/revocations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a role away, with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async revoke(
    @Param('projectId') projectId: string,
    @Body() body: RevokeAccessBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(response, projectId, await this.access.revoke(projectId, body.subject, body.reason, meta));
  }

  @Get('api-keys')
  @ApiOperation({ summary: 'Service accounts’ API keys (never their secrets)' })
  async apiKeys() {
    const keys = [...(await this.access.current()).apiKeys.values()];
    return {
      apiKeys: keys.map(({ keyId, name, subject, expiresAt, revoked }) => ({
        keyId,
        name,
        subject,
        expiresAt: expiresAt ?? null,
        revoked,
      })),
    };
  }

  @Post('api-keys')
  @ApiOperation({ summary: 'Issue an API key for a service account; the key is shown in this answer only' })
  @ApiCreatedResponse({ type: IssuedApiKeyDto.Output })
  async issue(@Body() body: IssueApiKeyBody, @Command() meta: RequestMetadata, @Res({ passthrough: true }) response: Response) {
    const issued = await this.access.issueApiKey(body.name, body.expiresAt, meta);
    response.setHeader('Cache-Control', 'no-store');
    return { keyId: issued.keyId, subject: issued.subject, key: issued.key, expiresAt: issued.expiresAt };
  }

  @Post('api-keys/:keyId/revocation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key: it stops working on the next request' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async revokeKey(
    @Param('keyId') keyId: string,
    @Body() body: RevokeApiKeyBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(response, keyId, await this.access.revokeApiKey(keyId, body.reason, meta));
  }
}
