import type { DirectoryItem } from './item-directory';
import { ItemModel } from './models/item.model';

export function toItemModel(item: DirectoryItem): ItemModel {
  return { id: item.id, title: item.title, year: item.year, hidden: item.hidden, coldStart: item.coldStart };
}
