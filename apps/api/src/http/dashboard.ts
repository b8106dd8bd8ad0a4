import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * Where the built dashboard lies: beside the built API in dist/apps (npm start builds both), or
 * WEB_DIST_DIR when a deployment puts it elsewhere.
 */
export function dashboardDir(): string {
  return process.env['WEB_DIST_DIR'] ?? join(__dirname, '../web');
}

/** The dashboard's own pages: the API's routes keep their paths, so the app lives at `/` and `/ui/…`. */
const DASHBOARD_PAGE = /^\/(?:ui(?:\/.*)?|invitation|password-reset|sign-in)?$/;

/**
 * Serves the dashboard from the same origin as the API (so the session cookie and CSRF work without
 * CORS): its hashed assets under /ui/assets with a year's caching, and index.html for every
 * dashboard page (client-side routes). Answers whether it was found; without a build the API runs alone.
 */
export function serveDashboard(app: NestExpressApplication, dir = dashboardDir()): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  app.use('/ui/assets', express.static(join(dir, 'ui/assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !DASHBOARD_PAGE.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
