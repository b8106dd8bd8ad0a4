import type { Locator, Page } from 'playwright-core';
import { atRest } from './dashboard';

/** The select lists open now (antd keeps a closed one in the page, hidden). */
const OPEN_LIST = '.ant-select-dropdown:not(.ant-select-dropdown-hidden)';

/** Waits until no select list is open or still closing. */
export async function listsClosed(page: Page): Promise<void> {
  await page.waitForFunction((open) => document.querySelectorAll(open).length === 0, OPEN_LIST);
}

/**
 * Picks an option of an antd select as a person does: opens its list, waits until the list has
 * stopped moving (an option clicked while it slides in can miss), clicks the option — the one whose
 * label contains `label`, typed into the select's search first, or else the first — and waits until
 * the list has closed and the select shows the choice.
 */
export async function pick(page: Page, box: Locator, label?: string): Promise<void> {
  await box.click();
  if (label !== undefined) await box.locator('input').fill(label);
  const options = page.locator(`${OPEN_LIST} .ant-select-item-option`);
  const option = label === undefined ? options.first() : options.filter({ hasText: label }).first();
  await option.waitFor();
  await atRest(page);
  const chosen = (await option.textContent()) ?? '';
  await option.click();
  await listsClosed(page);
  await box.filter({ hasText: chosen }).waitFor();
}

/**
 * Types a day into the antd date picker inside `within` and leaves the field (Enter would also submit
 * the dialog's form), waiting until its calendar has closed.
 */
export async function typeDate(page: Page, within: string, isoDate: string): Promise<void> {
  const input = page.locator(`${within} .ant-picker input`).first();
  await input.click();
  await input.fill(isoDate);
  await page.locator(`${within} .ant-modal-title`).click();
  await page.waitForFunction(() => document.querySelectorAll('.ant-picker-dropdown:not(.ant-picker-dropdown-hidden)').length === 0);
  await atRest(page);
}
