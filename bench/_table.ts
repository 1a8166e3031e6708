import { readFileSync } from 'node:fs';
import { scaleTable } from './scale.bench';
const d = JSON.parse(readFileSync('/work/main/reports/scale/scale.json', 'utf8'));
const order = ['6k', '25k', '100k'];
d.results.sort((a: any, b: any) => order.indexOf(a.size.name) - order.indexOf(b.size.name));
console.log(scaleTable(d.results));
