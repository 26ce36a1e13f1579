/** Tags of clusters, snapshots and usage limits, addressed by ARN as the Create/Delete/DescribeTags calls do. */
import type {
  CreateTagsMessage,
  DeleteTagsMessage,
  DescribeTagsMessage,
  Tag,
  TaggedResource,
} from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { deepFreeze } from './cluster-model.ts';
import type { ClusterRegistry } from './cluster-registry.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SnapshotsModel } from './snapshots-model.ts';
import { sameTags, validateTags } from './tag-rules.ts';
import type { UsageLimitsModel } from './usage-limits-model.ts';

export class TagsModel {
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly snapshots: SnapshotsModel,
    private readonly usageLimits: UsageLimitsModel,
  ) {
    this.handlers = {
      CreateTags: (i: CreateTagsMessage) => this.createTags(i),
      DeleteTags: (i: DeleteTagsMessage) => this.deleteTags(i),
      DescribeTags: (i: DescribeTagsMessage) => this.describeTags(i),
    };
  }

  private taggable(arn: string | undefined): {
    type: string;
    tags: () => readonly Tag[];
    setTags: (tags: Tag[]) => void;
  } {
    const match = /^arn:aws[a-z-]*:redshift:([^:]*):(\d*):([a-z-]+):(.+)$/.exec(arn ?? '');
    const [, , , type, rest] = match ?? [];
    if (type === 'cluster') {
      const rec = this.clusters.get(rest ?? '');
      if (rec !== undefined) {
        return { type, tags: () => rec.view.Tags ?? [], setTags: (tags) => this.clusters.update(rec, { Tags: tags }) };
      }
    }
    if (type === 'snapshot') {
      const snap = this.snapshots.get((rest ?? '').split('/')[1] ?? '');
      if (snap !== undefined) {
        return {
          type,
          tags: () => snap.view.Tags ?? [],
          setTags: (tags) => {
            snap.view = deepFreeze({ ...snap.view, Tags: tags });
          },
        };
      }
    }
    if (type === 'usagelimit') {
      const limit = this.usageLimits.get(rest ?? '');
      if (limit !== undefined) {
        return {
          type,
          tags: () => limit.view.Tags ?? [],
          setTags: (tags) => {
            limit.view = deepFreeze({ ...limit.view, Tags: tags });
          },
        };
      }
    }
    return this.ctx.fault('ResourceNotFoundFault', MESSAGES.resourceNotFound);
  }

  createTags(input: CreateTagsMessage) {
    const target = this.taggable(input.ResourceName);
    const merged = new Map((target.tags() ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const fresh = (input.Tags ?? []).filter((t) => !merged.has(t.Key ?? ''));
    validateTags(this.ctx, input.Tags ?? [], 0);
    if (merged.size + new Set(fresh.map((t) => t.Key)).size > 50)
      this.ctx.fault('TagLimitExceededFault', MESSAGES.tagLimit);
    for (const t of input.Tags ?? []) merged.set(t.Key ?? '', t.Value ?? '');
    target.setTags([...merged].map(([Key, Value]) => ({ Key, Value })));
    return {};
  }

  deleteTags(input: DeleteTagsMessage) {
    const target = this.taggable(input.ResourceName);
    const drop = new Set(input.TagKeys ?? []);
    target.setTags(target.tags().filter((t) => !drop.has(t.Key ?? '')));
    return {};
  }

  describeTags(input: DescribeTagsMessage) {
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    const wantType = input.ResourceType?.toLowerCase().replace(/[\s-]/g, '');
    const resources: { name: string; type: string; tags: readonly Tag[] }[] = [];
    if (input.ResourceName !== undefined) {
      const target = this.taggable(input.ResourceName);
      resources.push({ name: input.ResourceName, type: target.type, tags: target.tags() });
    } else {
      for (const r of this.clusters.records())
        resources.push({ name: r.arn, type: 'cluster', tags: r.view.Tags ?? [] });
      for (const s of this.snapshots.values())
        resources.push({ name: s.arn, type: 'snapshot', tags: s.view.Tags ?? [] });
      for (const u of this.usageLimits.values())
        resources.push({ name: u.arn, type: 'usagelimit', tags: u.view.Tags ?? [] });
    }
    const tagged: TaggedResource[] = [];
    for (const r of resources) {
      if (wantType !== undefined && r.type !== wantType) continue;
      for (const tag of r.tags) {
        if (!sameTags([tag], input.TagKeys, input.TagValues)) continue;
        tagged.push({
          Tag: { Key: tag.Key ?? '', Value: tag.Value ?? '' },
          ResourceName: r.name,
          ResourceType: r.type,
        });
      }
    }
    const page = paginate(tagged, start, size);
    return { TaggedResources: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }
}
