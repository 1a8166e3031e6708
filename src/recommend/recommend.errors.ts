export const RecommendErrorCode = {
  ItemNotScorable: 'ITEM_NOT_SCORABLE',
} as const;
