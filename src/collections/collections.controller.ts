import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/api-docs';
import { Caller } from '../core/http/caller.decorator';
import { RequestContext } from '../core/http/request-context';
import { CollectionConfigDto, CollectionListDto, CollectionResourceDto } from './dto/collection.dto';
import { CollectionsService } from './collections.service';

@ApiTags('collections')
@Controller('api/v1/evaluations/collections')
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Get()
  @ApiOperation({ summary: 'List benchmark collections', description: 'System collections are visible to every tenant.' })
  @ApiQuery({ name: 'limit', required: false, description: 'Page size (default 50, 0 = all)' })
  @ApiQuery({ name: 'offset', required: false, description: 'Items to skip' })
  @ApiQuery({ name: 'category', required: false, description: "Category filter; 'a|b' for any of several" })
  @ApiQuery({ name: 'name', required: false, description: "Exact name; 'a|b' for any of several" })
  @ApiQuery({ name: 'tags', required: false, description: "Tag filter: 'a,b' all of, 'a|b' any of" })
  @ApiQuery({ name: 'owner', required: false, description: 'Owner filter (not with scope)' })
  @ApiQuery({ name: 'scope', required: false, enum: ['system', 'tenant'] })
  @ApiResponse({ status: 200, type: CollectionListDto })
  @ApiErrors(400)
  list(@Query() query: Record<string, string>, @Req() req: FastifyRequest, @Caller() caller: RequestContext) {
    return this.collections.list(query, req.url, caller);
  }

  @Post()
  @ApiOperation({ summary: 'Create a tenant collection', description: 'The server assigns a UUID id.' })
  @ApiResponse({ status: 201, type: CollectionResourceDto })
  @ApiErrors(400)
  create(@Body() body: CollectionConfigDto, @Caller() caller: RequestContext) {
    return this.collections.create(body, caller);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one collection' })
  @ApiResponse({ status: 200, type: CollectionResourceDto })
  @ApiErrors(404)
  get(@Param('id') id: string, @Caller() caller: RequestContext) {
    return this.collections.get(id, caller);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a tenant collection', description: 'System collections are read-only (400 read_only_collection).' })
  @ApiResponse({ status: 200, type: CollectionResourceDto })
  @ApiErrors(400, 404)
  replace(@Param('id') id: string, @Body() body: CollectionConfigDto, @Caller() caller: RequestContext) {
    return this.collections.replace(id, body, caller);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Patch a tenant collection (JSON Patch)',
    description: 'Allowed: replace /name and /category; add/remove/replace /description, /tags…, /custom…, /pass_criteria; replace /benchmarks….',
  })
  @ApiBody({ schema: { type: 'array', items: { type: 'object', properties: { op: { type: 'string', enum: ['add', 'remove', 'replace'] }, path: { type: 'string' }, value: {} } } } })
  @ApiResponse({ status: 200, type: CollectionResourceDto })
  @ApiErrors(400, 404)
  patch(@Param('id') id: string, @Body() ops: unknown[], @Caller() caller: RequestContext) {
    return this.collections.patch(id, ops, caller);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant collection' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrors(400, 404)
  async delete(@Param('id') id: string, @Caller() caller: RequestContext): Promise<void> {
    await this.collections.delete(id, caller);
  }
}
