import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/api-docs';
import { Caller } from '../core/http/caller.decorator';
import { RequestContext } from '../core/http/request-context';
import { GateConfigDto, GateEvaluationDto, GateListDto, GateResourceDto } from './dto/gate.dto';
import { GatesService } from './gates.service';

@ApiTags('gates')
@Controller('api/v1/evaluations')
export class GatesController {
  constructor(private readonly gates: GatesService) {}

  @Get('gates')
  @ApiOperation({ summary: "List the tenant's release gates", description: 'An EvalHub addition.' })
  @ApiQuery({ name: 'limit', required: false, description: 'Page size (default 50, 0 = all)' })
  @ApiQuery({ name: 'offset', required: false, description: 'Items to skip' })
  @ApiResponse({ status: 200, type: GateListDto })
  @ApiErrors(400)
  list(@Query() query: Record<string, string>, @Req() req: FastifyRequest, @Caller() caller: RequestContext) {
    return this.gates.list(query, req.url, caller);
  }

  @Post('gates')
  @ApiOperation({
    summary: 'Create a release gate',
    description: 'A named set of rules a job is held against: a minimum (or maximum) score of a benchmark or of the weighted score, or a largest allowed regression against a baseline job. An EvalHub addition.',
  })
  @ApiResponse({ status: 201, type: GateResourceDto })
  @ApiErrors(400)
  create(@Body() body: GateConfigDto, @Caller() caller: RequestContext) {
    return this.gates.create(body, caller);
  }

  @Get('gates/:id')
  @ApiOperation({ summary: 'Get one release gate' })
  @ApiResponse({ status: 200, type: GateResourceDto })
  @ApiErrors(404)
  get(@Param('id') id: string, @Caller() caller: RequestContext) {
    return this.gates.get(id, caller);
  }

  @Put('gates/:id')
  @ApiOperation({ summary: 'Replace a release gate' })
  @ApiResponse({ status: 200, type: GateResourceDto })
  @ApiErrors(400, 404)
  replace(@Param('id') id: string, @Body() body: GateConfigDto, @Caller() caller: RequestContext) {
    return this.gates.replace(id, body, caller);
  }

  @Delete('gates/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a release gate' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrors(404)
  async delete(@Param('id') id: string, @Caller() caller: RequestContext): Promise<void> {
    await this.gates.delete(id, caller);
  }

  @Get('jobs/:id/gate/:gate_id')
  @ApiOperation({
    summary: 'Hold a job against a release gate',
    description:
      'GO when every rule is met with its whole 95% interval, NO-GO when any rule is missed, INCONCLUSIVE when a rule cannot tell (the interval straddles its limit, or there is no baseline); each rule with its reason. `evalhub gate` exits 0 / 1 / 2 on these. An EvalHub addition.',
  })
  @ApiParam({ name: 'gate_id', description: 'Id of the gate' })
  @ApiResponse({ status: 200, type: GateEvaluationDto })
  @ApiErrors(404)
  evaluate(@Param('id') id: string, @Param('gate_id') gateId: string, @Caller() caller: RequestContext) {
    return this.gates.evaluate(id, gateId, caller);
  }
}
