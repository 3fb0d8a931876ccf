// User-displayable reasons for each last_error code (Stripe shows `reason` to the person being verified),
// and which check each code belongs to.
import type { LastErrorCode } from './types.js';

export const LAST_ERROR_REASONS: Record<LastErrorCode, string> = {
  abandoned: 'The verification was started but never submitted.',
  consent_declined: 'The user declined to be verified.',
  country_not_supported: 'Documents from this country are not supported.',
  device_not_supported: 'The device has no camera, or access to the camera was refused.',
  document_expired: 'The document is expired.',
  document_type_not_supported: 'This type of document is not accepted for this verification.',
  document_unverified_other: 'The document could not be verified.',
  email_unverified_other: 'The email address could not be verified.',
  email_verification_declined: 'The user declined to verify the email address.',
  id_number_insufficient_document_data: 'The document does not hold enough data to match the ID number.',
  id_number_mismatch: 'The ID number could not be matched with the name and date of birth.',
  id_number_unverified_other: 'The ID number could not be verified.',
  phone_unverified_other: 'The phone number could not be verified.',
  phone_verification_declined: 'The user declined to verify the phone number.',
  selfie_document_missing_photo: 'The document does not show a photo of a face.',
  selfie_face_mismatch: 'The selfie does not match the photo on the document.',
  selfie_manipulated: 'The selfie appears to have been manipulated.',
  selfie_unverified_other: 'The selfie could not be verified.',
  under_supported_age: 'The user is under the supported age.',
};

export type CheckName = 'session' | 'document' | 'selfie' | 'id_number' | 'email' | 'phone';

/** The check whose failure a code reports. 'session' codes end the attempt before anything is submitted. */
export function checkOf(code: LastErrorCode): CheckName {
  if (code === 'abandoned' || code === 'consent_declined' || code === 'country_not_supported' || code === 'device_not_supported')
    return 'session';
  if (code.startsWith('document_') || code === 'under_supported_age') return 'document';
  if (code.startsWith('selfie_')) return 'selfie';
  if (code.startsWith('id_number_')) return 'id_number';
  if (code.startsWith('email_')) return 'email';
  return 'phone';
}
