// @vitest-environment jsdom
import { describe, expect, test } from 'vitest';
import { privacyOptions } from './privacyOptions';

function page(html: string) {
  document.body.innerHTML = html;
  return (selector: string) => document.querySelector<HTMLElement>(selector)!;
}

describe('privacyOptions', () => {
  test("'allow' records text and ordinary inputs; passwords, one-time codes and toggled passwords stay masked", () => {
    const $ = page(`
      <input id="name"><input id="pw" type="password"><input id="otp" autocomplete="one-time-code">
      <input id="was-pw" type="text" data-rr-is-password="true">
      <div data-oo-privacy="mask"><input id="in-mask"><p id="masked">secret</p><p id="back" data-dd-privacy="allow">open</p></div>`);
    const options = privacyOptions('allow');
    expect(options.maskInputFn('Ada', $('#name'))).toBe('Ada');
    expect(options.maskInputFn('hunter2', $('#pw'))).toBe('*******');
    expect(options.maskInputFn('123456', $('#otp'))).toBe('******');
    expect(options.maskInputFn('hunter2', $('#was-pw'))).toBe('*******');
    expect(options.maskInputFn('Ada', $('#in-mask'))).toBe('***');
    expect(options.maskTextFn('secret', $('#masked'))).toBe('******');
    expect(options.maskTextFn('open', $('#back'))).toBe('open');
    expect(options.maskTextSelector).toContain('[data-oo-privacy="mask"]');
    expect(options.blockSelector).toContain('[data-oo-privacy="hidden"]');
    expect(options.blockSelector).toContain('[data-dd-privacy="hidden"]');
  });

  test("'mask-user-input' masks every input but keeps text; 'mask' masks all text and blocks images", () => {
    const $ = page(`<input id="name"><p id="text">Hello there</p><p id="open" data-oo-privacy="allow">Open</p>`);
    const input = privacyOptions('mask-user-input');
    expect(input.maskInputFn('Ada', $('#name'))).toBe('***');
    expect(input.maskTextFn('Hello there', $('#text'))).toBe('Hello there');
    const all = privacyOptions('mask');
    expect(all.maskTextSelector).toBe('*');
    expect(all.maskTextFn('Hello there', $('#text'))).toBe('***** *****');
    expect(all.maskTextFn('Open', $('#open'))).toBe('Open');
    expect(all.blockSelector.split(',')).toContain('img');
  });
});
