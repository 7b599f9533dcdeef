// An unmodified x402 client (npm `@x402/fetch` + `@x402/evm`, key from viem) pays a resource
// that asks for Verity's native token; the resource settles the signed authorization on the
// chain at argv[2] with polkadot-js (`payments.settle`, submitted by Bob as facilitator), then
// replays it (refused). Prints one JSON line.
// Arguments: <ws url> <EVM chain id> <asset address>.
import http from "node:http";
import { ApiPromise, WsProvider } from "@polkadot/api";
import { Keyring } from "@polkadot/keyring";
import { u8aToHex } from "@polkadot/util";
import { wrapFetchWithPaymentFromConfig } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";

const [url, chainId, asset] = process.argv.slice(2);
const network = `eip155:${chainId}`;
const amount = "10000000000000000"; // 0.01 VRT
const payTo = "0x4242424242424242424242424242424242424242";

/// The account pallet-revive (and `pallet-payments`) gives an Ethereum address.
const fallbackAccount = (address) => `${address.toLowerCase()}${"ee".repeat(12)}`;

const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const keyring = new Keyring({ type: "sr25519" });
const [alice, bob] = [keyring.addFromUri("//Alice"), keyring.addFromUri("//Bob")];

/// Signs and sends `tx` from `signer`; resolves when in a block (instant seal reports it
/// finalized at once) with its events, or rejects with the module error's name.
function send(tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (!status.isInBlock && !status.isFinalized) return;
      if (dispatchError) {
        const { section, name } = dispatchError.isModule
          ? api.registry.findMetaError(dispatchError.asModule)
          : { section: "system", name: dispatchError.toString() };
        reject(new Error(`${section}.${name}`));
      } else {
        const block = status.isInBlock ? status.asInBlock : status.asFinalized;
        resolve({ block: block.toHex(), events });
      }
    }).catch(reject);
  });
}

const payer = privateKeyToAccount(
  "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
);
await send(api.tx.balances.transferKeepAlive(fallbackAccount(payer.address), 10n ** 18n), alice);
const balanceOf = async (address) =>
  (await api.query.system.account(fallbackAccount(address))).data.free.toBigInt();

const requirements = {
  scheme: "exact",
  network,
  amount,
  asset,
  payTo,
  maxTimeoutSeconds: 120,
  extra: { name: "Verity", version: "1" },
};
const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64");
let settled;
const server = http.createServer(async (request, response) => {
  const header = request.headers["payment-signature"];
  if (!header) {
    const required = {
      x402Version: 2,
      resource: { url: `http://${request.headers.host}/paid`, description: "a paid answer", mimeType: "application/json" },
      accepts: [requirements],
    };
    response.writeHead(402, { "PAYMENT-REQUIRED": encode(required), "Content-Type": "application/json" });
    return response.end("{}");
  }
  const payment = JSON.parse(Buffer.from(header, "base64").toString());
  const { authorization, signature } = payment.payload;
  const call = api.tx.payments.settle(
    {
      from: authorization.from,
      to: authorization.to,
      value: authorization.value,
      validAfter: authorization.validAfter,
      validBefore: authorization.validBefore,
      nonce: authorization.nonce,
    },
    signature,
  );
  try {
    const { block, events } = await send(call, bob);
    const event = events.find(({ event }) => api.events.payments.Settled.is(event.event ?? event));
    settled = { block, authorization, event: event?.event.data.toHuman() };
    let replay = "accepted";
    await send(call, bob).catch((error) => (replay = error.message));
    settled.replay = replay;
    response.writeHead(200, {
      "PAYMENT-RESPONSE": encode({ success: true, payer: authorization.from, transaction: block, network }),
      "Content-Type": "application/json",
    });
    response.end(JSON.stringify({ answer: 42 }));
  } catch (error) {
    response.writeHead(402, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ error: error.message }));
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

const payeeBefore = await balanceOf(payTo);
const payerBefore = await balanceOf(payer.address);
const pay = wrapFetchWithPaymentFromConfig(fetch, {
  schemes: [{ network, client: new ExactEvmScheme(payer) }],
  // The native token is no asset the client knows: allowed explicitly, as a payer would.
  spendControls: { allowedAssets: [{ network, asset, maxAmountPerPayment: amount }] },
});
const response = await pay(`http://127.0.0.1:${server.address().port}/paid`);
const body = await response.json();
console.log(
  JSON.stringify({
    status: response.status,
    body,
    payment_response: response.headers.get("payment-response") !== null,
    payer: payer.address,
    settled,
    paid: ((await balanceOf(payTo)) - payeeBefore).toString(),
    spent: (payerBefore - (await balanceOf(payer.address))).toString(),
  }),
);
server.close();
await api.disconnect();
