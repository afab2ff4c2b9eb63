import { removeTestSpools } from './app';

// Every test file's inbound spool directories go when the file is done, whether its tests passed.
afterAll(() => {
  removeTestSpools();
});
