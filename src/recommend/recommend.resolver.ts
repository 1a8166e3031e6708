import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { requestLoader } from '../common/graphql/request-loaders';
import { CpuScheduler } from '../common/request/cpu-scheduler';
import { CatalogService } from '../catalog/catalog.service';
import { toItemModel } from '../catalog/catalog.mappers';
import { AudienceArgs } from './dto/audience.args';
import { ExplainArgs } from './dto/explain.args';
import { RecommendArgs } from './dto/recommend.args';
import { SimilarItemsArgs } from './dto/similar-items.args';
import { ExplanationMode, ExplanationModel, PathNodeType } from './models/explanation.model';
import { AudienceMemberModel, RecommendationModel, SimilarItemModel } from './models/recommendation.model';
import { RecommendService, type Explanation, type ExplanationKey } from './recommend.service';
import type { UserHistory } from '../served-model/recommender-engine';

@Resolver(() => RecommendationModel)
export class RecommendResolver {
  constructor(
    private readonly recommendations: RecommendService,
    private readonly catalog: CatalogService,
    private readonly cpu: CpuScheduler,
  ) {}

  @Query(() => [RecommendationModel], {
    description: 'The k best items for a user (eq. 13), never one they have, a hidden one or one in excludeIds.',
  })
  async recommend(@Args() args: RecommendArgs, @Context() context: object): Promise<RecommendationModel[]> {
    const user = await this.recommendations.userFor(args.userId);
    return this.cpu.run(context, () =>
      this.recommendations.recommend(args, user).map((r) => ({
        rank: r.rank,
        score: r.score,
        userId: r.userId,
        item: toItemModel(this.catalog.item(r.itemId)),
      })),
    );
  }

  @ResolveField(() => ExplanationModel, {
    description:
      'Traced over the graph: shared values from the catalogue, network edges and paths from Neo4j, batched for all recommendations of the response.',
  })
  async explanation(@Parent() recommendation: RecommendationModel, @Context() context: object): Promise<ExplanationModel> {
    return this.toModel(await this.loader(context).load({ userId: recommendation.userId, itemId: recommendation.item.id }));
  }

  @Query(() => ExplanationModel, { description: 'The explanation of any item for a user, as recommend gives it.' })
  async explain(@Args() args: ExplainArgs, @Context() context: object): Promise<ExplanationModel> {
    await this.recommendations.checkExplainable(args.userId, args.itemId);
    return this.toModel(await this.loader(context).load({ userId: args.userId, itemId: args.itemId }));
  }

  @Query(() => [SimilarItemModel], { description: 'Items most similar to an item: personalized (eq. 8) when userId is given.' })
  async similarItems(@Args() args: SimilarItemsArgs, @Context() context: object): Promise<SimilarItemModel[]> {
    const user = args.userId === undefined ? null : await this.recommendations.userFor(args.userId);
    return this.cpu.run(context, () =>
      this.recommendations.similarItems(args.itemId, user, args.k).map((s, index) => ({
        rank: index + 1,
        score: s.score,
        item: toItemModel(this.catalog.item(s.itemId)),
      })),
    );
  }

  @Query(() => [AudienceMemberModel], { description: 'The users most likely to want an item, new items included (paper 5.2, eq. 14).' })
  async audience(@Args() args: AudienceArgs, @Context() context: object): Promise<AudienceMemberModel[]> {
    const histories = this.recommendations.checkAudience(args.itemId) ? await this.histories(context) : [];
    return this.cpu.run(context, () =>
      this.recommendations.audience(args.itemId, args.k, histories).map((s, index) => ({ rank: index + 1, userId: s.userId, score: s.score })),
    );
  }

  /** Read once per request, however many audience fields it has. */
  private async histories(context: object): Promise<UserHistory[]> {
    return requestLoader<string, UserHistory[]>(context, 'all-histories', async (keys) => {
      const all = await this.recommendations.allHistories();
      return keys.map(() => all);
    }).load('all');
  }

  private loader(context: object) {
    return requestLoader<ExplanationKey, Explanation>(
      context,
      'explanations',
      // The model half of a batch is CPU work (scheduled like the root fields); the graph half is I/O.
      (keys) => this.cpu.run(context, () => this.recommendations.explainMany(keys)),
      (key) => `${key.userId}\u0000${key.itemId}`,
    );
  }

  private toModel(e: Explanation): ExplanationModel {
    const neighbour = e.neighbourId === null ? undefined : this.catalog.findItem(e.neighbourId);
    return {
      attribute: e.attribute,
      attention: e.attention.map((a) => ({ kind: a.kind, weight: a.weight })),
      neighbor: neighbour === undefined ? null : toItemModel(neighbour),
      sharedValues: e.sharedValues.map((v) => ({ kind: v.kind, id: v.id, name: v.name })),
      mode: ExplanationMode[e.mode],
      adjacent: e.adjacent,
      path:
        e.path === null
          ? null
          : {
              nodes: e.path.nodes.map((n) => ({ type: PathNodeType[n.type], id: n.id, name: n.name, kind: n.kind })),
              relationships: e.path.relationships.map((r) => ({ type: r.type, from: r.from, to: r.to })),
            },
      text: e.text,
    };
  }
}
