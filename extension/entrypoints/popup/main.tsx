import '../../popup/popup.css';
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { PopupApp } from '../../popup/Popup.tsx';

render(
  <PopupApp send={(message) => browser.runtime.sendMessage(message)} openOptions={() => void browser.runtime.openOptionsPage()} />,
  document.getElementById('app')!,
);
