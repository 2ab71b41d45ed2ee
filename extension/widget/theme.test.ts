// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { luminance, parseColor, themeOf } from './theme.ts';

afterEach(() => {
  document.body.innerHTML = '';
  document.body.removeAttribute('style');
});

describe('theme', () => {
  it('parses computed colors', () => {
    expect(parseColor('rgb(33, 33, 33)')).toEqual([33, 33, 33, 1]);
    expect(parseColor('rgba(0, 0, 0, 0)')).toEqual([0, 0, 0, 0]);
    expect(parseColor('rgb(255 255 255 / 50%)')).toEqual([255, 255, 255, 0.5]);
    expect(parseColor('transparent')).toBeNull();
  });

  it('luminance goes from black to white', () => {
    expect(luminance([0, 0, 0])).toBe(0);
    expect(luminance([255, 255, 255])).toBeCloseTo(1);
  });

  it('follows the first opaque background behind the answer', () => {
    document.body.innerHTML = '<div id="panel" style="background-color: rgb(33, 33, 33)"><p id="answer">x</p></div>';
    expect(themeOf(document.getElementById('answer'))).toBe('dark');
    document.getElementById('panel')!.style.backgroundColor = 'rgb(250, 250, 250)';
    expect(themeOf(document.getElementById('answer'))).toBe('light');
  });
});
