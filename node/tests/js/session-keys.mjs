// A validator operator's session keys, from polkadot-js against a live node (`ws://` URL as
// the only argument; the node must allow unsafe RPC methods, as a validator's own node does):
//
// 1. a new account (the operator) is funded by //Alice;
// 2. refused, each with `session.InvalidProof` and nothing registered:
//    - keys from `author_rotateKeys` (polkadot-js's classic call), which carry no proof of
//      ownership, set with an empty proof;
//    - the operator's keys and proof (below) submitted by another account (//Alice): the
//      proof binds the keys to their owner;
// 3. `author_rotateKeysWithOwner` gives keys and their proof for the operator, and
//    `session.setKeys` registers them: `session.nextKeys` holds them, the node's keystore has
//    them (`author_hasSessionKeys`), and exactly the key deposit is held, under the session
//    pallet's hold reason.
//
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

const url = process.argv[2];
if (!url) {
	console.error('usage: node session-keys.mjs ws://HOST:PORT');
	process.exit(2);
}

/**
 * Signs and sends `tx`; resolves once it is in a block with its dispatch error's name ('' on
 * success); rejects if the pool drops or refuses it.
 */
function submit(api, tx, signer) {
	return new Promise((resolve, reject) => {
		let unsubscribe = () => {};
		const settle = (action, value) => {
			unsubscribe();
			action(value);
		};
		tx.signAndSend(signer, ({ status, dispatchError }) => {
			if (status.isInvalid || status.isDropped || status.isUsurped || status.isFinalityTimeout) {
				return settle(reject, new Error(`transaction ${status.type}`));
			}
			if (!status.isInBlock) return;
			if (!dispatchError) return settle(resolve, '');
			if (!dispatchError.isModule) return settle(resolve, dispatchError.toString());
			const { section, name } = api.registry.findMetaError(dispatchError.asModule);
			settle(resolve, `${section}.${name}`);
		})
			.then((unsub) => {
				unsubscribe = unsub;
			})
			.catch(reject);
	});
}

/** Fails unless `who` has no next session keys. */
async function expectNoKeys(api, who, after) {
	const next = await api.query.session.nextKeys(who);
	if (next.isSome) throw new Error(`${after}: session.nextKeys is ${next.toHex()}`);
}

async function main() {
	await cryptoWaitReady();
	const provider = new WsProvider(url);
	const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
	const keyring = new Keyring({ type: 'sr25519' });
	const alice = keyring.addFromUri('//Alice');
	const operator = keyring.addFromMnemonic(mnemonicGenerate());
	const unit = 10n ** BigInt(api.registry.chainDecimals[0]);

	const funded = await submit(api, api.tx.balances.transferKeepAlive(operator.address, 100n * unit), alice);
	if (funded) throw new Error(`funding the operator failed: ${funded}`);

	// The classic flow: keys without a proof are refused.
	const bare = await api.rpc.author.rotateKeys();
	const withoutProof = await submit(api, api.tx.session.setKeys(bare, '0x'), operator);
	if (withoutProof !== 'session.InvalidProof') {
		throw new Error(`setKeys without a proof: expected session.InvalidProof, got '${withoutProof}'`);
	}
	await expectNoKeys(api, operator.address, 'after setKeys without a proof');

	// The 2609 flow: keys generated for the owner, with the proof.
	const generated = await provider.send('author_rotateKeysWithOwner', [u8aToHex(operator.publicKey)]);

	// Someone else cannot register them: the proof names the operator.
	const aliceBefore = (await api.query.session.nextKeys(alice.address)).toHex();
	const stolen = await submit(api, api.tx.session.setKeys(generated.keys, generated.proof), alice);
	if (stolen !== 'session.InvalidProof') {
		throw new Error(`another account's proof: expected session.InvalidProof, got '${stolen}'`);
	}
	if ((await api.query.session.nextKeys(alice.address)).toHex() !== aliceBefore) {
		throw new Error("a refused setKeys changed //Alice's keys");
	}

	const setKeys = await submit(api, api.tx.session.setKeys(generated.keys, generated.proof), operator);
	if (setKeys) throw new Error(`setKeys with the proof failed: ${setKeys}`);

	const next = await api.query.session.nextKeys(operator.address);
	if (next.isNone || next.unwrap().toHex() !== generated.keys) {
		throw new Error(`session.nextKeys is ${next.toHex()}, expected ${generated.keys}`);
	}
	const inKeystore = (await api.rpc.author.hasSessionKeys(generated.keys)).isTrue;
	if (!inKeystore) throw new Error('the node does not hold the keys it generated');

	const holds = (await api.query.balances.holds(operator.address)).map((hold) => ({
		id: hold.id.toJSON(),
		amount: hold.amount.toBigInt(),
	}));
	const deposit = api.consts.session.keyDeposit.toBigInt();
	const sessionHold = holds.length === 1 && Object.keys(holds[0].id ?? {})[0] === 'session';
	if (!sessionHold || holds[0].amount !== deposit) {
		throw new Error(`holds ${JSON.stringify(holds, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}, expected the key deposit ${deposit} held by the session pallet`);
	}
	console.log(JSON.stringify({
		operator: operator.address,
		keys: generated.keys,
		refusedWithoutProof: withoutProof,
		refusedForAnotherAccount: stolen,
		keyDepositHeld: `${holds[0].amount}`,
		holdReason: holds[0].id,
	}));
	await api.disconnect();
}

main().catch((error) => {
	console.error(error.message ?? error);
	process.exit(1);
});
