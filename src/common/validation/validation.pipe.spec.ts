import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { createValidationPipe } from './validation.pipe';

class Filter {
  @IsOptional()
  @IsInt()
  @Min(0)
  yearFrom?: number;
}

class Args {
  @IsInt()
  @Min(1)
  @Max(100)
  k: number = 10;

  @IsOptional()
  @ValidateNested()
  @Type(() => Filter)
  filter?: Filter;
}

describe('validation pipe', () => {
  const pipe = createValidationPipe();
  const run = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Args });

  it('applies class defaults', async () => {
    await expect(run({})).resolves.toMatchObject({ k: 10 });
  });

  it('fails with BAD_USER_INPUT naming the field, nested fields dotted', async () => {
    await expect(run({ k: 0 })).rejects.toMatchObject({ kind: 'BAD_USER_INPUT', details: { field: 'k' } });
    const error = (await run({ k: 5, filter: { yearFrom: -1 } }).catch((e: unknown) => e)) as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.details.field).toBe('filter.yearFrom');
    expect(error.message).toMatch(/^invalid input: filter\.yearFrom: yearFrom must not be less than 0/);
  });
});
