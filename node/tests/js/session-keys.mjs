// A validator operator's session keys, from polkadot-js against a live node (`ws://` URL as
// the only argument; the node must allow unsafe RPC methods, as a validator's own node does):
//
// 1. a new account is funded by //Alice;
// 2. `author_rotateKeys` (polkadot-js's classic call) gives keys without a proof of ownership,
//    and `session.setKeys` with an empty proof is refused with `session.InvalidProof`;
// 3. `author_rotateKeysWithOwner` gives keys and their proof for the account, and
//    `session.setKeys` registers them: `session.nextKeys` holds them, the node's keystore has
//    them (`author_hasSessionKeys`), and the key deposit is held.
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

/** Signs and sends `tx`, resolves with the dispatch error's name ('' on success) once in a block. */
function submit(api, tx, signer) {
	return new Promise((resolve, reject) => {
		tx.signAndSend(signer, ({ status, dispatchError }) => {
			if (!status.isInBlock) return;
			if (!dispatchError) return resolve('');
			if (!dispatchError.isModule) return resolve(dispatchError.toString());
			const { section, name } = api.registry.findMetaError(dispatchError.asModule);
			resolve(`${section}.${name}`);
		}).catch(reject);
	});
}

async function main() {
	await cryptoWaitReady();
	const provider = new WsProvider(url);
	const api = await ApiPromise.create({ provider, noInitWarn: true });
	const keyring = new Keyring({ type: 'sr25519' });
	const alice = keyring.addFromUri('//Alice');
	const operator = keyring.addFromMnemonic(mnemonicGenerate());
	const unit = 10n ** BigInt(api.registry.chainDecimals[0]);

	const funded = await submit(api, api.tx.balances.transferKeepAlive(operator.address, 100n * unit), alice);
	if (funded) throw new Error(`funding the operator failed: ${funded}`);

	// The classic flow: keys without a proof are refused.
	const bare = await api.rpc.author.rotateKeys();
	const refused = await submit(api, api.tx.session.setKeys(bare, '0x'), operator);
	if (refused !== 'session.InvalidProof') {
		throw new Error(`setKeys without a proof: expected session.InvalidProof, got '${refused}'`);
	}

	// The 2609 flow: keys generated for the owner, with the proof.
	const generated = await provider.send('author_rotateKeysWithOwner', [u8aToHex(operator.publicKey)]);
	const setKeys = await submit(api, api.tx.session.setKeys(generated.keys, generated.proof), operator);
	if (setKeys) throw new Error(`setKeys with the proof failed: ${setKeys}`);

	const next = await api.query.session.nextKeys(operator.address);
	if (next.isNone || next.unwrap().toHex() !== generated.keys) {
		throw new Error(`session.nextKeys is ${next.toHex()}, expected ${generated.keys}`);
	}
	const inKeystore = (await api.rpc.author.hasSessionKeys(generated.keys)).isTrue;
	if (!inKeystore) throw new Error('the node does not hold the keys it generated');
	const { data } = await api.query.system.account(operator.address);
	const deposit = api.consts.session.keyDeposit.toBigInt();
	if (data.reserved.toBigInt() !== deposit) {
		throw new Error(`held ${data.reserved}, expected the key deposit ${deposit}`);
	}
	console.log(JSON.stringify({
		operator: operator.address,
		keys: generated.keys,
		refusedWithoutProof: refused,
		keyDepositHeld: data.reserved.toString(),
	}));
	await api.disconnect();
}

main().catch((error) => {
	console.error(error.message ?? error);
	process.exit(1);
});
