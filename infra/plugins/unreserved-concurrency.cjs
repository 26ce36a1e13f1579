'use strict';

/**
 * Reserved concurrency per function from serverless.yml `custom.reservedConcurrency` (params
 * ingestConcurrency / reconcileConcurrency): a whole number, or `unreserved` for none. An account whose
 * Lambda concurrency limit is still the new-account 10 cannot reserve any (AWS keeps 10 unreserved), so
 * that word is the way to deploy there. osls validates a function's `reservedConcurrency` as a number
 * before plugins run and takes no empty `--param` value, hence the custom block and this plugin, which
 * sets `reservedConcurrency` just before the functions are compiled.
 */
const UNRESERVED = 'unreserved';

class ReservedConcurrency {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:compileFunctions': () => this.apply() };
  }

  apply() {
    const wanted = this.serverless.service.custom?.reservedConcurrency ?? {};
    const functions = this.serverless.service.functions ?? {};
    for (const [name, value] of Object.entries(wanted)) {
      if (functions[name] === undefined) throw new Error(`custom.reservedConcurrency.${name}: no such function`);
      if (value === UNRESERVED) continue;
      const number = Number(value);
      if (value === '' || !Number.isInteger(number) || number < 0) {
        throw new Error(
          `custom.reservedConcurrency.${name} ${JSON.stringify(value)}: expected a whole number or "${UNRESERVED}"`,
        );
      }
      functions[name].reservedConcurrency = number;
    }
  }
}

module.exports = ReservedConcurrency;
