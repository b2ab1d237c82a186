// The session token on Android: AES-256-GCM under a key that lives in the Android
// Keystore (it never leaves it, and is not in backups), the encrypted blob in the app's
// no-backup files. The core asks for the token through its TokenStore callback
// (bindings/src/sync.rs): it never sits in the core's database.
package id.pasar.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.AtomicFile
import android.util.Log
import id.pasar.ffi.TokenStore
import java.io.File
import java.io.FileNotFoundException
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The core's [TokenStore] over the Android Keystore.
 *
 * - The key: AES-256, GCM, no padding, made in `AndroidKeyStore` under [alias]; the
 *   Keystore picks a fresh IV for every encryption. It is not bound to the screen lock
 *   (`setUnlockedDeviceRequired` stays off): WorkManager and FCM sync while the phone
 *   is locked, and they need the token.
 * - The blob: `[version 1][IV length][IV][ciphertext + 128-bit tag]` in [file], written
 *   through [AtomicFile] (a crash mid-write leaves the previous token), with the
 *   associated data `pasar-session-v1` so the blob cannot pass for something else.
 * - Both are unusable on another phone: the key never leaves this one, and the file is
 *   in `noBackupFilesDir`. A restored or moved install signs in again.
 * - A blob the key cannot open (the Keystore was reset, the key invalidated, the file
 *   damaged) reads as "signed out": the file and the key are deleted and the user signs
 *   in again. Nothing else is lost: the store and its queued changes stay.
 *
 * The core calls [load] and [save] on its own threads; both are synchronized and
 * [load] is answered from memory after the first read.
 */
class KeystoreTokenStore(
    private val file: File,
    private val alias: String = DEFAULT_ALIAS,
) : TokenStore {
    constructor(context: Context) : this(File(context.noBackupFilesDir, "pasar-session.bin"))

    private val lock = Any()
    private var cached: String? = null
    private var read = false

    override fun load(): String? = synchronized(lock) {
        if (!read) {
            cached = readToken()
            read = true
        }
        cached
    }

    override fun save(token: String?) = synchronized(lock) {
        cached = token
        read = true
        if (token == null) {
            AtomicFile(file).delete()
            return@synchronized
        }
        try {
            writeToken(token)
        } catch (e: GeneralSecurityException) {
            // A Keystore that cannot encrypt (seen on a few vendor builds): the session
            // lives in memory until the process ends, then the user signs in again.
            Log.w(TAG, "session token kept in memory only: ${e.javaClass.simpleName}")
            AtomicFile(file).delete()
        }
    }

    private fun readToken(): String? {
        val bytes = try {
            AtomicFile(file).readFully()
        } catch (e: FileNotFoundException) {
            return null
        }
        return try {
            require(bytes.size > 2 && bytes[0] == VERSION) { "unknown session file" }
            val ivLength = bytes[1].toInt()
            require(ivLength in 12..16 && bytes.size > 2 + ivLength) { "damaged session file" }
            val iv = bytes.copyOfRange(2, 2 + ivLength)
            val cipher = Cipher.getInstance(TRANSFORMATION)
            val key = existingKey() ?: throw GeneralSecurityException("no key")
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, iv))
            cipher.updateAAD(AAD)
            String(cipher.doFinal(bytes, 2 + ivLength, bytes.size - 2 - ivLength), Charsets.UTF_8)
        } catch (e: Exception) {
            // GeneralSecurityException (AEADBadTagException, KeyPermanentlyInvalidatedException,
            // a missing key) or a damaged file: signed out.
            Log.w(TAG, "session token unreadable, signing out: ${e.javaClass.simpleName}")
            AtomicFile(file).delete()
            deleteKey()
            null
        }
    }

    private fun writeToken(token: String) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, existingKey() ?: newKey())
        cipher.updateAAD(AAD)
        val sealed = cipher.doFinal(token.toByteArray(Charsets.UTF_8))
        val iv = cipher.iv
        file.parentFile?.mkdirs()
        val atomic = AtomicFile(file)
        val out = atomic.startWrite()
        try {
            out.write(byteArrayOf(VERSION, iv.size.toByte()))
            out.write(iv)
            out.write(sealed)
            atomic.finishWrite(out)
        } catch (e: java.io.IOException) {
            atomic.failWrite(out)
            throw GeneralSecurityException("cannot write the session file", e)
        }
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }

    private fun existingKey(): SecretKey? = keyStore().getKey(alias, null) as SecretKey?

    private fun newKey(): SecretKey {
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setRandomizedEncryptionRequired(true)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE).run {
            init(spec)
            generateKey()
        }
    }

    private fun deleteKey() {
        try {
            keyStore().deleteEntry(alias)
        } catch (e: GeneralSecurityException) {
            Log.w(TAG, "could not delete the session key: ${e.javaClass.simpleName}")
        }
    }

    companion object {
        const val DEFAULT_ALIAS = "id.pasar.session"
        private const val TAG = "PasarTokens"
        private const val KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val TAG_BITS = 128
        private const val VERSION: Byte = 1
        private val AAD = "pasar-session-v1".toByteArray(Charsets.UTF_8)
    }
}
