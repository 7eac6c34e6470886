// Entry point of the bundle (scripts/build-dashboard.js): mounts the app into index.html.
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
