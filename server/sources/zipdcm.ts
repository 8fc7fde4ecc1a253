// The `zipdcm` source (issue 3): DICOM header metadata straight out of ZIP archives and bare
// .dcm files, one row per DICOM member, `meta` as pydicom 3.0's to_json_dict() (PS3.18 F.2).
// describe() plans member-range partitions; read() streams one partition through the worker pool.
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Plan, Source, SourceContext, SourceRequest } from './source.ts';
import { parseZipdcmOptions } from './zipdcm-options.ts';
import { planZipdcm } from './zipdcm-plan.ts';
import { readZipdcm } from './zipdcm-read.ts';
import { zipdcmSchema } from './zipdcm-schema.ts';

export const zipdcmSource: Source = {
  name: 'zipdcm',
  description: 'DICOM header metadata (pydicom JSON model + key columns) from ZIP archives and .dcm files',

  defaultSchema(): Schema {
    return zipdcmSchema(false);
  },

  async describe(request: SourceRequest, ctx: SourceContext): Promise<Plan> {
    const settings = parseZipdcmOptions(request.options);
    const partitions = await planZipdcm(ctx.root, request.path ?? '', settings);
    return { schema: zipdcmSchema(settings.hashes), partitions };
  },

  read(request: SourceRequest, spec: unknown, ctx: SourceContext): AsyncIterable<RecordBatch> {
    const settings = parseZipdcmOptions(request.options);
    return readZipdcm(ctx.root, spec, settings, ctx.signal);
  },
};
