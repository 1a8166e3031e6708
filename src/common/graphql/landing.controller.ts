import { Controller, Get, Header } from '@nestjs/common';
import { renderLandingPage } from './landing-page';

/** GET / serves the offline GraphQL page too (GET /graphql does, for a browser). */
@Controller()
export class LandingController {
  private readonly page = renderLandingPage('/graphql');

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    return this.page;
  }
}
