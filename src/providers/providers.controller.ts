import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProviderBodies } from './provider-bodies';
import { ApiErrors } from '../common/api-docs';
import { Caller } from '../core/http/caller.decorator';
import { RequestContext } from '../core/http/request-context';
import { ProviderConfigDto, ProviderListDto, ProviderResourceDto } from './dto/provider.dto';
import { ProviderAvailabilityService } from './provider-availability.service';
import { ProvidersService } from './providers.service';

@ApiTags('providers')
@Controller('api/v1/evaluations/providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly availability: ProviderAvailabilityService,
  ) {}

  /** Serialised answers of GET /:id (see ProviderBodies). */
  private readonly bodies = new ProviderBodies();

  @Get()
  @ApiOperation({ summary: 'List providers and their benchmarks', description: 'System providers are visible to every tenant.' })
  @ApiQuery({ name: 'limit', required: false, description: 'Page size (default 50, 0 = all)' })
  @ApiQuery({ name: 'offset', required: false, description: 'Items to skip' })
  @ApiQuery({ name: 'benchmarks', required: false, description: 'false returns every provider with an empty benchmarks list' })
  @ApiQuery({ name: 'name', required: false, description: "Exact name; 'a|b' for any of several" })
  @ApiQuery({ name: 'tags', required: false, description: "Tag filter: 'a,b' all of, 'a|b' any of" })
  @ApiQuery({ name: 'owner', required: false, description: 'Owner filter (not with scope)' })
  @ApiQuery({ name: 'scope', required: false, enum: ['system', 'tenant'] })
  @ApiResponse({ status: 200, type: ProviderListDto })
  @ApiErrors(400)
  async list(@Query() query: Record<string, string>, @Req() req: FastifyRequest, @Caller() caller: RequestContext) {
    const page = await this.providers.list(query, req.url, caller);
    return { ...page, items: await Promise.all(page.items.map((p) => this.availability.withAvailability(p))) };
  }

  @Post()
  @ApiOperation({ summary: 'Register a tenant provider', description: 'The server assigns a UUID id.' })
  @ApiResponse({ status: 201, type: ProviderResourceDto })
  @ApiErrors(400)
  create(@Body() body: ProviderConfigDto, @Caller() caller: RequestContext) {
    return this.providers.create(body, caller);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one provider', description: 'Answers with an ETag; If-None-Match with it gives 304 while the provider and its availability are unchanged.' })
  @ApiResponse({ status: 200, type: ProviderResourceDto })
  @ApiResponse({ status: 304, description: 'Unchanged since the ETag sent' })
  @ApiErrors(404)
  async get(@Param('id') id: string, @Caller() caller: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const provider = await this.providers.get(id, caller);
    const { body, etag } = this.bodies.of(provider, await this.availability.of(provider));
    reply.header('ETag', etag).header('Content-Type', 'application/json; charset=utf-8');
    if (req.headers['if-none-match'] === etag) {
      reply.status(304);
      return '';
    }
    return body;
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a tenant provider', description: 'System providers are read-only (400 read_only_provider).' })
  @ApiResponse({ status: 200, type: ProviderResourceDto })
  @ApiErrors(400, 404)
  replace(@Param('id') id: string, @Body() body: ProviderConfigDto, @Caller() caller: RequestContext) {
    return this.providers.replace(id, body, caller);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Patch a tenant provider (JSON Patch)',
    description: 'Allowed: replace /name; add/remove/replace /title, /description, /tags…, /custom…, /agent…, /runtime…; replace /benchmarks….',
  })
  @ApiBody({ schema: { type: 'array', items: { type: 'object', properties: { op: { type: 'string', enum: ['add', 'remove', 'replace'] }, path: { type: 'string' }, value: {} } } } })
  @ApiResponse({ status: 200, type: ProviderResourceDto })
  @ApiErrors(400, 404)
  patch(@Param('id') id: string, @Body() ops: unknown[], @Caller() caller: RequestContext) {
    return this.providers.patch(id, ops, caller);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant provider' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrors(400, 404)
  async delete(@Param('id') id: string, @Caller() caller: RequestContext): Promise<void> {
    await this.providers.delete(id, caller);
  }
}
