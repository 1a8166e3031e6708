import { DomainError, ErrorKind } from '../common/errors/domain-error';

export const CatalogErrorCode = {
  ItemNotFound: 'ITEM_NOT_FOUND',
  UserNotFound: 'USER_NOT_FOUND',
  ItemExists: 'ITEM_EXISTS',
  UnknownKind: 'UNKNOWN_ATTRIBUTE_KIND',
  UnknownValue: 'UNKNOWN_ATTRIBUTE_VALUE',
  NoDataset: 'NO_DATASET',
} as const;

export function itemNotFound(itemId: string, field = 'itemId'): DomainError {
  return new DomainError(ErrorKind.NotFound, CatalogErrorCode.ItemNotFound, `no item with id "${itemId}"`, { field });
}

export function userNotFound(userId: string, field = 'userId'): DomainError {
  return new DomainError(ErrorKind.NotFound, CatalogErrorCode.UserNotFound, `no user with id "${userId}" (a user exists from their first recordPurchase)`, {
    field,
  });
}
